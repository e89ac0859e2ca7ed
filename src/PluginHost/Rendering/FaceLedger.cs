using Deid.Effect.Anonymization.Replacement;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// What the first writing of a render did to each face it hid, by frame and track: for replace, the method's outcome
/// (a new face, another of the person's new faces, or a blur and why); for the other methods nothing beyond hidden.
/// The read-back's later steps are kept by <see cref="EscalatedFaces"/>.
/// </summary>
public sealed class FaceLedger
{
    private readonly Dictionary<(int Frame, int TrackId), ReplacementOutcome> _outcomes = [];

    /// <summary>The frame whose faces the method is working on now; outcomes reported are filed under it.</summary>
    public int CurrentFrame { get; set; }

    public void Record(int trackId, ReplacementOutcome outcome) => _outcomes[(CurrentFrame, trackId)] = outcome;

    public ReplacementOutcome? At(int frame, int trackId) => _outcomes.TryGetValue((frame, trackId), out var outcome) ? outcome : null;
}
