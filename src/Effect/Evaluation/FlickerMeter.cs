using Deid.Effect.Anonymization;
using OpenCvSharp;

namespace Deid.Effect.Evaluation;

/// <summary>
/// Flicker of a face from one frame to the next: the mean absolute difference (0..255, channels averaged) between
/// two frames inside the union of the face's ellipse in both. Taken on the source and on the anonymized output of
/// the same frames, the ratio output / source says whether a method adds flicker (a mosaic whose cells jump as the
/// face moves a pixel) or calms it (a solid fill): above 1 is extra flicker. The union, not one ellipse, so a
/// moving face's leading and trailing edges count.
/// </summary>
public sealed class FlickerMeter : IDisposable
{
    private readonly Mat _mask = new();
    private readonly Mat _difference = new();

    /// <returns>The mean difference, or null where the ellipses lie outside the frame.</returns>
    public double? Measure(Mat previous, Mat current, FaceEllipse before, FaceEllipse after)
    {
        if (previous.Size() != current.Size() || previous.Type() != current.Type())
            throw new ArgumentException("the two frames differ in size or type");
        var roi = before.Bounds(1, current.Width, current.Height) | after.Bounds(1, current.Width, current.Height);
        if (roi.Width <= 0 || roi.Height <= 0) return null;

        _mask.Create(roi.Size, MatType.CV_8UC1);
        _mask.SetTo(Scalar.All(0));
        Fill(before, roi.TopLeft);
        Fill(after, roi.TopLeft);
        if (Cv2.CountNonZero(_mask) == 0) return null;

        using var a = new Mat(previous, roi);
        using var b = new Mat(current, roi);
        Cv2.Absdiff(a, b, _difference);
        var mean = Cv2.Mean(_difference, _mask);
        var channels = current.Channels();
        return channels switch
        {
            1 => mean.Val0,
            _ => (mean.Val0 + mean.Val1 + mean.Val2) / 3,
        };
    }

    private void Fill(FaceEllipse face, Point origin)
    {
        var centre = new Point2f(face.Center.X - origin.X, face.Center.Y - origin.Y);
        var box = new RotatedRect(centre, new Size2f(2 * face.SemiAxisX, 2 * face.SemiAxisY), face.AngleRadians * 180f / MathF.PI);
        Cv2.Ellipse(_mask, box, Scalar.All(255), -1);
    }

    public void Dispose()
    {
        _mask.Dispose();
        _difference.Dispose();
    }
}
