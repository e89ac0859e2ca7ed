using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>
/// Gaussian blur scaled to the face: at strength 1 the blur radius is a fifth of the face size, enough that the
/// recognizer no longer matches the person. Blurs a downscaled copy, so cost does not grow with the radius.
/// </summary>
public sealed class BlurAnonymizer(float strength) : IAnonymizer, IDisposable
{
    private readonly Mat _small = new();
    private readonly Mat _blurred = new();

    public string Name => "blur";

    public float Strength { get; } = Math.Clamp(strength, 0f, 1f);

    public void Render(Mat frame, Rect roi, FaceEllipse face, Mat patch, Span<byte> mask)
    {
        var sigma = face.Size * (0.03f + 0.17f * Strength);
        using var source = new Mat(frame, roi);
        var factor = Math.Max(1f, sigma / 3f);
        var smallSize = new Size(Math.Max(1, (int)MathF.Round(roi.Width / factor)), Math.Max(1, (int)MathF.Round(roi.Height / factor)));
        Cv2.Resize(source, _small, smallSize, 0, 0, InterpolationFlags.Area);
        var smallSigma = sigma / factor;
        Cv2.GaussianBlur(_small, _blurred, new Size(0, 0), smallSigma, smallSigma, BorderTypes.Replicate);
        Cv2.Resize(_blurred, patch, roi.Size, 0, 0, InterpolationFlags.Linear);
    }

    public void Dispose()
    {
        _small.Dispose();
        _blurred.Dispose();
    }
}
