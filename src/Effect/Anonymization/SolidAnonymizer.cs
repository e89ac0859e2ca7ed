using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>Covers the face with one colour; strength is the opacity (1 = opaque).</summary>
public sealed class SolidAnonymizer(Scalar colorBgr, float strength) : IAnonymizer
{
    public string Name => "solid";

    public Scalar Color { get; } = colorBgr;

    public float Strength { get; } = Math.Clamp(strength, 0f, 1f);

    public void Render(Mat frame, Rect roi, FaceEllipse face, Mat patch, Span<byte> mask)
    {
        if (Strength >= 1f)
        {
            patch.SetTo(Color);
            return;
        }
        using var source = new Mat(frame, roi);
        using var fill = new Mat(roi.Size, MatType.CV_8UC3, Color);
        Cv2.AddWeighted(fill, Strength, source, 1 - Strength, 0, patch);
    }
}
