using Deid.Effect.Geometry;
using Deid.Effect.Recognition;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The pose-normalised frame replacement works in: a square of any side in which the face stands upright,
/// its five points (eye centres, nose tip, mouth corners) on the recognizer's template with the eye-to-mouth
/// distance 0.28 of the side and their centroid at the square's centre. The square holds the face from the
/// top of the forehead to below the chin.
/// </summary>
public static class CanonicalFace
{
    /// <summary>The side the hand-made transform works at.</summary>
    public const int Size = 160;

    public const float EyeToMouth = 0.28f;

    /// <summary>The five template points for a square of side <paramref name="size"/>.</summary>
    public static Point2f[] Template(int size)
    {
        var chip = FaceAligner.Template;
        var eyes = new Point2f((chip[0].X + chip[1].X) / 2, (chip[0].Y + chip[1].Y) / 2);
        var mouth = new Point2f((chip[3].X + chip[4].X) / 2, (chip[3].Y + chip[4].Y) / 2);
        var scale = EyeToMouth * size / Landmarks.Face68.Distance(eyes, mouth);
        var cx = chip.Average(p => p.X);
        var cy = chip.Average(p => p.Y);
        return chip.Select(p => new Point2f((p.X - cx) * scale + 0.5f * size, (p.Y - cy) * scale + 0.5f * size)).ToArray();
    }

    /// <summary>Frame pixels to canonical pixels (side <paramref name="size"/>) for a face with these five points.</summary>
    public static double[,] TransformFor(ReadOnlySpan<Point2f> fivePoints, int size) =>
        SimilarityTransform.Estimate(fivePoints, Template(size));

    public static double[,] Invert(double[,] m)
    {
        var determinant = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0];
        if (Math.Abs(determinant) < 1e-12) throw new ArgumentException("transform is not invertible");
        var a = m[1, 1] / determinant;
        var b = -m[0, 1] / determinant;
        var c = -m[1, 0] / determinant;
        var d = m[0, 0] / determinant;
        return new[,] { { a, b, -(a * m[0, 2] + b * m[1, 2]) }, { c, d, -(c * m[0, 2] + d * m[1, 2]) } };
    }

    public static Point2f[] Map(double[,] m, ReadOnlySpan<Point2f> points)
    {
        var result = new Point2f[points.Length];
        for (var i = 0; i < points.Length; i++) result[i] = SimilarityTransform.Apply(m, points[i]);
        return result;
    }
}
