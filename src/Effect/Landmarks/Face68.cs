using OpenCvSharp;
using Range = System.Range;

namespace Deid.Effect.Landmarks;

/// <summary>
/// The iBUG 300-W 68-point layout: which indices are the jaw, brows, nose, eyes and mouth, and the measures
/// taken from them (eye and mouth opening, the five points the recognizer aligns on).
/// </summary>
public static class Face68
{
    public const int Count = 68;

    public static readonly Range Jaw = 0..17;
    public static readonly Range RightBrow = 17..22;
    public static readonly Range LeftBrow = 22..27;
    public static readonly Range NoseBridge = 27..31;
    public static readonly Range NoseBase = 31..36;
    /// <summary>The subject's right eye, on the image's left.</summary>
    public static readonly Range RightEye = 36..42;
    public static readonly Range LeftEye = 42..48;
    public static readonly Range OuterMouth = 48..60;

    /// <summary>The upper and lower lid points of both eyes (not the corners): what eye opening is read from.</summary>
    public static readonly int[] Eyelids = [37, 38, 40, 41, 43, 44, 46, 47];
    public static readonly Range InnerMouth = 60..68;

    public const int NoseTip = 30;
    public const int MouthRightCorner = 48;
    public const int MouthLeftCorner = 54;

    public static Point2f Centre(ReadOnlySpan<Point2f> points, Range range)
    {
        var part = points[range];
        float x = 0, y = 0;
        foreach (var p in part) { x += p.X; y += p.Y; }
        return new Point2f(x / part.Length, y / part.Length);
    }

    /// <summary>The detector's five points (right eye, left eye, nose tip, right and left mouth corner) from the 68.</summary>
    public static Point2f[] FivePoints(ReadOnlySpan<Point2f> points) =>
    [
        Centre(points, RightEye), Centre(points, LeftEye), points[NoseTip], points[MouthRightCorner], points[MouthLeftCorner],
    ];

    /// <summary>Eye opening: the mean lid gap over the eye's width (the eye aspect ratio), both eyes averaged.</summary>
    public static float EyeOpening(ReadOnlySpan<Point2f> p) => (EyeAspect(p, 36) + EyeAspect(p, 42)) / 2;

    /// <summary>Mouth opening: the gap between the inner lips over the mouth's width.</summary>
    public static float MouthOpening(ReadOnlySpan<Point2f> p)
    {
        var gap = (Distance(p[61], p[67]) + Distance(p[62], p[66]) + Distance(p[63], p[65])) / 3;
        return gap / MathF.Max(1e-3f, Distance(p[MouthRightCorner], p[MouthLeftCorner]));
    }

    private static float EyeAspect(ReadOnlySpan<Point2f> p, int first)
    {
        var lids = (Distance(p[first + 1], p[first + 5]) + Distance(p[first + 2], p[first + 4])) / 2;
        return lids / MathF.Max(1e-3f, Distance(p[first], p[first + 3]));
    }

    public static float Distance(Point2f a, Point2f b) => MathF.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    /// <summary>The mean distance between corresponding points of two equally long point sets.</summary>
    public static float MeanDistance(ReadOnlySpan<Point2f> a, ReadOnlySpan<Point2f> b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length; i++) sum += Distance(a[i], b[i]);
        return sum / a.Length;
    }
}
