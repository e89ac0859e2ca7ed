using Deid.Effect.Tracking;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// The faces of a file render that are hidden more strongly than the chosen method hides them, because an earlier
/// rendering of the clip, read back, still showed them too near their person.
/// </summary>
public sealed class EscalatedFaces
{
    private readonly Dictionary<(int Frame, int TrackId), Escalation> _faces = [];

    public int Count => _faces.Count;

    public Escalation? At(int frame, int trackId) => _faces.TryGetValue((frame, trackId), out var escalation) ? escalation : null;

    /// <summary>
    /// Takes a face one step further: blurred (wider than the method's mask) where a heavy blur of the person is beyond
    /// <paramref name="tooNear"/>, filled where it is not (the recognizer places any blob near a small dark face); a
    /// face blurred so is filled next. Returns false for a face that is filled already: nothing hides more.
    /// </summary>
    public bool Escalate(RecognizedFace face, float tooNear)
    {
        var key = (face.Frame, face.TrackId);
        var next = At(face.Frame, face.TrackId) switch
        {
            null when face.BlurredDistance > tooNear => Escalation.Blur,
            null or Escalation.Blur => Escalation.Solid,
            _ => (Escalation?)null,
        };
        if (next is null) return false;
        _faces[key] = next.Value;
        return true;
    }

    /// <summary>The regions of frame <paramref name="frame"/> that get <paramref name="escalation"/>.</summary>
    public IReadOnlyList<FaceRegion> Select(int frame, IReadOnlyList<FaceRegion> hidden, Escalation escalation)
    {
        if (_faces.Count == 0) return [];
        return hidden.Where(region => At(frame, region.TrackId) == escalation).ToList();
    }
}
