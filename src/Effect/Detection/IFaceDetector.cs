using OpenCvSharp;

namespace Deid.Effect.Detection;

/// <summary>Finds faces in a BGR 8-bit frame.</summary>
public interface IFaceDetector
{
    /// <summary>Every face the detector can find in a single image.</summary>
    IReadOnlyList<FaceDetection> Detect(Mat bgrFrame);

    /// <summary>
    /// Frame <paramref name="frameIndex"/> of a clip: a detector may spread costly work over frames (see
    /// <see cref="DetectorOptions.FinePassInterval"/>), relying on tracking to bridge them.
    /// </summary>
    IReadOnlyList<FaceDetection> Detect(Mat bgrFrame, int frameIndex) => Detect(bgrFrame);
}
