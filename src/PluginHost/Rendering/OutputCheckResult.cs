namespace Deid.PluginHost.Rendering;

/// <summary>
/// What the check of a rendered file came to: how many writings of the clip it took (<see cref="Passes"/>; 0 when the
/// file was not read back), how many faces ended up hidden more strongly than the method hid them
/// (<see cref="Escalated"/>), and the filled faces the recognizer still places near their person
/// (<see cref="StillNear"/>: nothing hides more than a fill; the recognizer leans on hair and head shape there).
/// </summary>
public sealed record OutputCheckResult(int Passes, int Escalated, IReadOnlyList<RecognizedFace> StillNear)
{
    public bool Checked => Passes > 0;
}
