using OpenCvSharp;

namespace Deid.Effect.Detection;

/// <summary>
/// Detects on the upright picture of a frame stored rotated (phone video carries a display rotation instead of
/// turning its pixels) and maps the faces back to stored pixels, so frames are anonymized and written unturned.
/// <paramref name="clockwiseDegrees"/> is the clockwise turn that shows the stored frame upright: 0, 90, 180 or 270.
/// </summary>
public sealed class OrientedFaceDetector(IFaceDetector inner, int clockwiseDegrees) : IFaceDetector, IDisposable
{
    private readonly Mat _upright = new();

    public int ClockwiseDegrees { get; } = ((clockwiseDegrees % 360) + 360) % 360 is var d && d % 90 == 0
        ? d : throw new ArgumentException($"rotation {clockwiseDegrees} is not a multiple of 90 degrees");

    public IReadOnlyList<FaceDetection> Detect(Mat bgrFrame) => Detect(bgrFrame, 0);

    public IReadOnlyList<FaceDetection> Detect(Mat bgrFrame, int frameIndex)
    {
        if (ClockwiseDegrees == 0) return inner.Detect(bgrFrame, frameIndex);
        var code = ClockwiseDegrees switch
        {
            90 => RotateFlags.Rotate90Clockwise,
            180 => RotateFlags.Rotate180,
            _ => RotateFlags.Rotate90Counterclockwise,
        };
        Cv2.Rotate(bgrFrame, _upright, code);
        return inner.Detect(_upright, frameIndex).Select(d => ToStored(d, bgrFrame.Width, bgrFrame.Height)).ToList();
    }

    private FaceDetection ToStored(FaceDetection upright, int storedWidth, int storedHeight)
    {
        var landmarks = upright.Landmarks.Select(p => ToStored(p, storedWidth, storedHeight)).ToArray();
        var a = ToStored(new Point2f(upright.Box.Left, upright.Box.Top), storedWidth, storedHeight);
        var b = ToStored(new Point2f(upright.Box.Right, upright.Box.Bottom), storedWidth, storedHeight);
        var box = new Rect2f(Math.Min(a.X, b.X), Math.Min(a.Y, b.Y), Math.Abs(a.X - b.X), Math.Abs(a.Y - b.Y));
        return new FaceDetection(box, landmarks, upright.Score);
    }

    /// <summary>Inverse of the clockwise turn, in continuous pixel coordinates.</summary>
    private Point2f ToStored(Point2f p, int storedWidth, int storedHeight) => ClockwiseDegrees switch
    {
        // Turning clockwise by 90 maps stored (x, y) to upright (H - y, x).
        90 => new Point2f(p.Y, storedHeight - p.X),
        180 => new Point2f(storedWidth - p.X, storedHeight - p.Y),
        _ => new Point2f(storedWidth - p.Y, p.X),
    };

    public void Dispose() => _upright.Dispose();
}
