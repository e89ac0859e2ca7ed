using Deid.Effect.Detection;
using OpenCvSharp;

namespace Deid.Effect.Tracking;

/// <summary>
/// Turns a track's detections into one region per frame: gaps are interpolated, both ends are held, and position
/// and size are smoothed with a centred window. Smoothing never shrinks coverage: every smoothed box still contains
/// the raw (or interpolated) box of its frame, so a smoothed mask cannot lag behind a moving face. Holds stop at a
/// cut: the face was not in the other shot, and its held mask there would fall on whatever is in its place.
/// </summary>
public sealed class TrackRegionBuilder(TrackingOptions options)
{
    /// <param name="cutFrames">Frames that start a new shot, ascending (no track is observed across one).</param>
    public void Build(FaceTrack track, int frameCount, IReadOnlyList<int>? cutFrames = null)
    {
        var first = track.FirstObserved;
        var last = track.LastObserved;
        var length = last - first + 1;

        var raw = new FaceDetection[length];
        var observed = new bool[length];
        FaceDetection? previous = null;
        var previousFrame = first;
        foreach (var (frame, detection) in track.Observations)
        {
            if (previous is not null)
            {
                for (var gap = previousFrame + 1; gap < frame; gap++)
                {
                    raw[gap - first] = Interpolate(previous, detection, (gap - previousFrame) / (float)(frame - previousFrame));
                }
            }
            raw[frame - first] = detection;
            observed[frame - first] = true;
            previous = detection;
            previousFrame = frame;
        }

        var regions = new List<FaceRegion>(length + 2 * options.HoldFrames);
        var start = Math.Max(0, first - options.HoldFrames);
        var end = Math.Min(frameCount - 1, last + options.HoldFrames);
        foreach (var cut in cutFrames ?? [])
        {
            if (cut <= first) start = Math.Max(start, cut);
            else if (cut > last) end = Math.Min(end, cut - 1);
        }
        var smoothed = Smooth(raw);
        for (var frame = start; frame <= end; frame++)
        {
            var i = Math.Clamp(frame - first, 0, length - 1);
            var inside = frame >= first && frame <= last;
            var region = smoothed[i];
            regions.Add(new FaceRegion(track.Id, region.Box, region.Landmarks, region.Score, inside && observed[i])
            {
                DetectedLandmarks = inside && observed[i] ? raw[i].Landmarks : null,
            });
        }
        track.StartFrame = start;
        track.Regions = regions;
    }

    private FaceDetection[] Smooth(FaceDetection[] raw)
    {
        var radius = options.SmoothingRadius;
        var result = new FaceDetection[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            float weightSum = 0, cx = 0, cy = 0, w = 0, h = 0;
            var landmarks = new Point2f[FaceDetection.LandmarkCount];
            for (var j = Math.Max(0, i - radius); j <= Math.Min(raw.Length - 1, i + radius); j++)
            {
                // Triangular weights: recent neighbours count most, so sharp turns are followed closely.
                var weight = radius + 1 - Math.Abs(i - j);
                var box = raw[j].Box;
                cx += weight * (box.X + box.Width / 2);
                cy += weight * (box.Y + box.Height / 2);
                w += weight * box.Width;
                h += weight * box.Height;
                // Landmarks move with the face: average them relative to their own box centre.
                for (var p = 0; p < landmarks.Length; p++)
                {
                    landmarks[p].X += weight * (raw[j].Landmarks[p].X - (box.X + box.Width / 2));
                    landmarks[p].Y += weight * (raw[j].Landmarks[p].Y - (box.Y + box.Height / 2));
                }
                weightSum += weight;
            }
            cx /= weightSum; cy /= weightSum; w /= weightSum; h /= weightSum;

            var own = raw[i].Box;
            var halfWidth = Math.Max(w / 2, Math.Max(cx - own.Left, own.Right - cx));
            var halfHeight = Math.Max(h / 2, Math.Max(cy - own.Top, own.Bottom - cy));
            for (var p = 0; p < landmarks.Length; p++)
            {
                landmarks[p] = new Point2f(cx + landmarks[p].X / weightSum, cy + landmarks[p].Y / weightSum);
            }
            result[i] = new FaceDetection(new Rect2f(cx - halfWidth, cy - halfHeight, 2 * halfWidth, 2 * halfHeight), landmarks, raw[i].Score);
        }
        return result;
    }

    private static FaceDetection Interpolate(FaceDetection a, FaceDetection b, float t)
    {
        static float Lerp(float x, float y, float t) => x + (y - x) * t;
        var box = new Rect2f(Lerp(a.Box.X, b.Box.X, t), Lerp(a.Box.Y, b.Box.Y, t),
            Lerp(a.Box.Width, b.Box.Width, t), Lerp(a.Box.Height, b.Box.Height, t));
        var landmarks = new Point2f[FaceDetection.LandmarkCount];
        for (var p = 0; p < landmarks.Length; p++)
        {
            landmarks[p] = new Point2f(Lerp(a.Landmarks[p].X, b.Landmarks[p].X, t), Lerp(a.Landmarks[p].Y, b.Landmarks[p].Y, t));
        }
        return new FaceDetection(box, landmarks, Math.Min(a.Score, b.Score));
    }
}
