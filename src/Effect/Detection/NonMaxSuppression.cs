using OpenCvSharp;

namespace Deid.Effect.Detection;

/// <summary>Greedy non-maximum suppression: keeps the best-scoring box of every cluster of overlapping boxes.</summary>
public static class NonMaxSuppression
{
    public static List<FaceDetection> Apply(List<FaceDetection> detections, float iouThreshold)
    {
        detections.Sort((a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<FaceDetection>(detections.Count);
        foreach (var candidate in detections)
        {
            var suppressed = false;
            foreach (var keep in kept)
            {
                if (IntersectionOverUnion(candidate.Box, keep.Box) > iouThreshold) { suppressed = true; break; }
            }
            if (!suppressed) kept.Add(candidate);
        }
        return kept;
    }

    public static float IntersectionOverUnion(Rect2f a, Rect2f b)
    {
        var x1 = Math.Max(a.Left, b.Left);
        var y1 = Math.Max(a.Top, b.Top);
        var x2 = Math.Min(a.Right, b.Right);
        var y2 = Math.Min(a.Bottom, b.Bottom);
        var intersection = Math.Max(0f, x2 - x1) * Math.Max(0f, y2 - y1);
        var union = a.Width * a.Height + b.Width * b.Height - intersection;
        return union <= 0 ? 0 : intersection / union;
    }
}
