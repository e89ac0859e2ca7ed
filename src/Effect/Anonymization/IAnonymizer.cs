using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>
/// One way of hiding a face. Given the frame and the face's ellipse, it paints the anonymized look of the region
/// <paramref name="roi"/> into <paramref name="patch"/> (CV_8UC3, roi-sized); the compositor blends the patch into
/// the frame through <paramref name="mask"/> (one byte per roi pixel, 255 = fully replaced), which a method that
/// predicts its own mask may rewrite, as long as the face ellipse stays covered.
/// </summary>
public interface IAnonymizer
{
    string Name { get; }

    void Render(Mat frame, Rect roi, FaceEllipse face, Mat patch, Span<byte> mask);
}
