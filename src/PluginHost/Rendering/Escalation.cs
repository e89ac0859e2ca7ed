namespace Deid.PluginHost.Rendering;

/// <summary>What a face found too near its person in the rendered file gets the next time the clip is rendered.</summary>
public enum Escalation
{
    /// <summary>Blurred over what the method made (a new face blurred is farther from the person than either).</summary>
    Blur,

    /// <summary>Filled; the last step, for faces where even a blur stays near.</summary>
    Solid,
}
