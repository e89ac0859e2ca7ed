using Deid.Effect.Detection;
using OpenCvSharp;

namespace Deid.Effect.Tracking;

/// <summary>
/// Links per-frame detections into tracks, one frame at a time (so the analysis pass knows a detection's track the
/// moment it is found). A detection continues the track whose last box overlaps it most, or, for small fast faces
/// whose boxes no longer overlap, whose centre is near and whose size is similar. A track left unmatched for more
/// than <see cref="TrackingOptions.MaxGapFrames"/> frames ends, and every track ends at a cut (<see cref="Cut"/>).
/// </summary>
public sealed class TrackLinker(TrackingOptions options)
{
    private readonly List<FaceTrack> _tracks = [];
    private readonly List<FaceTrack> _active = [];
    private readonly List<(float Affinity, FaceTrack Track, int Detection)> _candidates = [];
    private int _nextFrame;

    public IReadOnlyList<FaceTrack> Tracks => _tracks;

    /// <summary>Links the detections of the next frame; returns the track id of each detection.</summary>
    public int[] Push(IReadOnlyList<FaceDetection> detections)
    {
        var frame = _nextFrame++;
        _active.RemoveAll(t => frame - t.LastObserved - 1 > options.MaxGapFrames);

        _candidates.Clear();
        foreach (var track in _active)
        {
            for (var d = 0; d < detections.Count; d++)
            {
                var affinity = Affinity(track.LastDetection.Box, detections[d].Box, frame - track.LastObserved);
                if (affinity > 0) _candidates.Add((affinity, track, d));
            }
        }
        _candidates.Sort((a, b) => b.Affinity.CompareTo(a.Affinity));

        var assigned = new int[detections.Count];
        Array.Fill(assigned, -1);
        var usedTracks = new HashSet<FaceTrack>();
        foreach (var (_, track, d) in _candidates)
        {
            if (assigned[d] >= 0 || !usedTracks.Add(track)) continue;
            assigned[d] = track.Id;
            track.Add(frame, detections[d]);
        }

        for (var d = 0; d < detections.Count; d++)
        {
            if (assigned[d] >= 0) continue;
            var track = new FaceTrack(_tracks.Count);
            track.Add(frame, detections[d]);
            _tracks.Add(track);
            _active.Add(track);
            assigned[d] = track.Id;
        }
        return assigned;
    }

    /// <summary>
    /// The next frame starts a new shot: every track ends here, so a face in the new shot never continues a face of
    /// the last one, however much their boxes overlap.
    /// </summary>
    public void Cut() => _active.Clear();

    /// <summary>Links a whole clip's detections.</summary>
    public static List<FaceTrack> Link(IReadOnlyList<IReadOnlyList<FaceDetection>> detectionsPerFrame, TrackingOptions options)
    {
        var linker = new TrackLinker(options);
        foreach (var detections in detectionsPerFrame) linker.Push(detections);
        return [.. linker.Tracks];
    }

    private float Affinity(Rect2f previous, Rect2f current, int framesApart)
    {
        var iou = NonMaxSuppression.IntersectionOverUnion(previous, current);
        if (iou >= options.MinIou) return 1 + iou;

        var size = Math.Max(previous.Width, previous.Height);
        var sizeRatio = Math.Max(current.Width, current.Height) / size;
        if (sizeRatio is < 0.6f or > 1.66f) return 0;
        var dx = previous.X + previous.Width / 2 - (current.X + current.Width / 2);
        var dy = previous.Y + previous.Height / 2 - (current.Y + current.Height / 2);
        var distance = MathF.Sqrt(dx * dx + dy * dy) / size;
        // Allow more travel across a longer gap, but never more than about two face widths.
        var reach = Math.Min(0.5f + 0.25f * framesApart, 2f);
        return distance < reach ? 1 - distance / reach : 0;
    }
}
