using Deid.Effect.Detection;
using Deid.Effect.Identities;

namespace Deid.Effect.Tracking;

/// <summary>
/// The faces of a whole clip: detections per frame, tracks, the people they belong to, and for every frame the
/// regions to cover. Immutable once built.
/// </summary>
public sealed class ClipAnalysis
{
    private readonly List<FaceRegion>[] _regionsByFrame;
    private readonly Dictionary<int, int> _identityByTrack = [];

    public ClipAnalysis(int width, int height, IReadOnlyList<IReadOnlyList<FaceDetection>> detections,
        IReadOnlyList<FaceTrack> tracks, IReadOnlyList<Identity> identities, string fingerprint, IReadOnlyList<int>? cutFrames = null)
    {
        FrameCount = detections.Count;
        CutFrames = cutFrames ?? [];
        Width = width;
        Height = height;
        Detections = detections;
        Tracks = tracks;
        Identities = identities;
        Fingerprint = fingerprint;
        _regionsByFrame = new List<FaceRegion>[FrameCount];
        for (var i = 0; i < FrameCount; i++) _regionsByFrame[i] = [];
        foreach (var track in tracks)
        {
            for (var i = 0; i < track.Regions.Count; i++) _regionsByFrame[track.StartFrame + i].Add(track.Regions[i]);
        }
        foreach (var identity in identities)
            foreach (var trackId in identity.TrackIds) _identityByTrack[trackId] = identity.Id;
    }

    public int FrameCount { get; }

    public int Width { get; }

    public int Height { get; }

    public IReadOnlyList<IReadOnlyList<FaceDetection>> Detections { get; }

    public IReadOnlyList<FaceTrack> Tracks { get; }

    public IReadOnlyList<Identity> Identities { get; }

    /// <summary>Frames that start a new shot, ascending: no track runs across one, and no track's hold either.</summary>
    public IReadOnlyList<int> CutFrames { get; }

    /// <summary>Content hash of the clip (see <see cref="Pipeline.ClipFingerprint"/>).</summary>
    public string Fingerprint { get; }

    public IReadOnlyList<FaceRegion> RegionsAt(int frame) =>
        frame >= 0 && frame < FrameCount ? _regionsByFrame[frame]
            : throw new ArgumentOutOfRangeException(nameof(frame), $"frame {frame} is outside the analysed clip (0..{FrameCount - 1})");

    /// <summary>The person a track belongs to, or null when it could not be grouped (too small, too short, too unsure).</summary>
    public int? IdentityOf(int trackId) => _identityByTrack.TryGetValue(trackId, out var id) ? id : null;
}
