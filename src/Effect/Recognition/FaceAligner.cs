using Deid.Effect.Geometry;
using OpenCvSharp;

namespace Deid.Effect.Recognition;

/// <summary>
/// Aligns a face onto the recognizer's 150x150 chip: a similarity transform of YuNet's five landmarks onto the
/// ArcFace 112x112 template, rescaled so the eye-to-mouth distance is 0.45 of the chip and the landmarks' centroid
/// sits at (0.5, 0.43) of it.
/// </summary>
public static class FaceAligner
{
    public const int ChipSize = 150;

    private static readonly Point2f[] ArcFace112 =
    [
        new(38.2946f, 51.6963f), new(73.5318f, 51.5014f), new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f), new(70.7299f, 92.2041f),
    ];

    public static readonly Point2f[] Template = BuildTemplate();

    private static Point2f[] BuildTemplate()
    {
        var eyes = new Point2f((ArcFace112[0].X + ArcFace112[1].X) / 2, (ArcFace112[0].Y + ArcFace112[1].Y) / 2);
        var mouth = new Point2f((ArcFace112[3].X + ArcFace112[4].X) / 2, (ArcFace112[3].Y + ArcFace112[4].Y) / 2);
        var eyeToMouth = MathF.Sqrt(MathF.Pow(mouth.X - eyes.X, 2) + MathF.Pow(mouth.Y - eyes.Y, 2));
        var scale = 0.45f * ChipSize / eyeToMouth;
        var cx = ArcFace112.Average(p => p.X);
        var cy = ArcFace112.Average(p => p.Y);
        return ArcFace112.Select(p => new Point2f((p.X - cx) * scale + 0.5f * ChipSize, (p.Y - cy) * scale + 0.43f * ChipSize)).ToArray();
    }

    /// <summary>The transform from frame pixels to chip pixels for a face with these five landmarks.</summary>
    public static double[,] TransformFor(ReadOnlySpan<Point2f> landmarks) => SimilarityTransform.Estimate(landmarks, Template);

    /// <summary>Writes the 150x150 BGR chip of the face into <paramref name="chip"/>.</summary>
    public static void Align(Mat bgrFrame, ReadOnlySpan<Point2f> landmarks, Mat chip)
    {
        using var transform = SimilarityTransform.ToMat(TransformFor(landmarks));
        Cv2.WarpAffine(bgrFrame, chip, transform, new Size(ChipSize, ChipSize), InterpolationFlags.Linear, BorderTypes.Replicate);
    }
}
