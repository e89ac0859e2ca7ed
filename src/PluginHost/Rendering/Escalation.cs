namespace Deid.PluginHost.Rendering;

/// <summary>What a face found too near its person in the rendered file gets the next time the clip is rendered.</summary>
public enum Escalation
{
    /// <summary>
    /// Replace's new face after all, where its check against the frame before had blurred it: that check foretells the
    /// encoder, and the file read back is the encoder's own answer. Judged alone, the face was clear.
    /// </summary>
    NewFace,

    /// <summary>Blurred over what the method made (a new face blurred is farther from the person than either).</summary>
    Blur,

    /// <summary>Filled; the last step, for faces where even a blur stays near.</summary>
    Solid,
}
