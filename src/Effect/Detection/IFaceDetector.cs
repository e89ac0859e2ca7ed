using OpenCvSharp;

namespace Deid.Effect.Detection;

/// <summary>Finds faces in a BGR 8-bit frame.</summary>
public interface IFaceDetector
{
    IReadOnlyList<FaceDetection> Detect(Mat bgrFrame);
}
