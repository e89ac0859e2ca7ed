using Deid.Effect.Detection;
using OpenCvSharp;

namespace Deid.Effect.Tracking;

/// <summary>
/// Links per-frame detections into tracks. A detection continues the track whose last box overlaps it most, or,
/// for small fast faces whose boxes no longer overlap, whose centre is near and whose size is similar.
/// A track left unmatched for more than <see cref="TrackingOptions.MaxGapFrames"/> frames ends.
/// </summary>
public sealed class TrackLinker(TrackingOptions options)
{
    public List<FaceTrack> Link(IReadOnlyList<IReadOnlyList<FaceDetection>> detectionsPerFrame)
    {
        var tracks = new List<FaceTrack>();
        var active = new List<FaceTrack>();
        var candidates = new List<(float Affinity, FaceTrack Track, int Detection)>();

        for (var frame = 0; frame < detectionsPerFrame.Count; frame++)
        {
            active.RemoveAll(t => frame - t.LastObserved - 1 > options.MaxGapFrames);
            var detections = detectionsPerFrame[frame];

            candidates.Clear();
            foreach (var track in active)
            {
                for (var d = 0; d < detections.Count; d++)
                {
                    var affinity = Affinity(track.LastDetection.Box, detections[d].Box, frame - track.LastObserved);
                    if (affinity > 0) candidates.Add((affinity, track, d));
                }
            }
            candidates.Sort((a, b) => b.Affinity.CompareTo(a.Affinity));

            var usedTracks = new HashSet<FaceTrack>();
            var usedDetections = new bool[detections.Count];
            foreach (var (_, track, d) in candidates)
            {
                if (usedDetections[d] || !usedTracks.Add(track)) continue;
                usedDetections[d] = true;
                track.Add(frame, detections[d]);
            }

            for (var d = 0; d < detections.Count; d++)
            {
                if (usedDetections[d]) continue;
                var track = new FaceTrack(tracks.Count);
                track.Add(frame, detections[d]);
                tracks.Add(track);
                active.Add(track);
            }
        }
        return tracks;
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
        // Allow more travel across a longer gap, but never more than about a face width per frame.
        var reach = Math.Min(0.5f + 0.25f * framesApart, 2f);
        return distance < reach ? 1 - distance / reach : 0;
    }
}
