using Deid.Effect.Landmarks;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>The outline of a face from its 68 landmarks: the jaw, then the brows lifted to take in the lower forehead.</summary>
internal static class FaceOutline
{
    /// <summary>How far above the brows the outline runs, as a share of the eyes-to-mouth distance.</summary>
    private const float ForeheadLift = 0.3f;

    /// <summary>The outline, scaled by <paramref name="grow"/> about its centre.</summary>
    public static Point[] Of(Point2f[] points, float grow)
    {
        var eyes = Face68.Centre(points, Face68.RightEye);
        var otherEye = Face68.Centre(points, Face68.LeftEye);
        var mouth = Face68.Centre(points, Face68.OuterMouth);
        var unit = Face68.Distance(new Point2f((eyes.X + otherEye.X) / 2, (eyes.Y + otherEye.Y) / 2), mouth);
        var outline = new List<Point2f>();
        for (var i = 0; i < 17; i++) outline.Add(points[i]);
        for (var i = 26; i >= 17; i--) outline.Add(new Point2f(points[i].X, points[i].Y - ForeheadLift * unit));
        var cx = outline.Average(p => p.X);
        var cy = outline.Average(p => p.Y);
        return outline.Select(p => new Point((int)MathF.Round(cx + (p.X - cx) * grow), (int)MathF.Round(cy + (p.Y - cy) * grow))).ToArray();
    }

    /// <summary>Fills the outline's convex hull with 1 (anti-aliased) in a CV_32FC1 image.</summary>
    public static void Fill(Mat image, Point2f[] points, float grow)
    {
        var hull = Cv2.ConvexHull(Of(points, grow));
        Cv2.FillConvexPoly(image, hull, Scalar.All(1), LineTypes.AntiAlias);
    }
}
