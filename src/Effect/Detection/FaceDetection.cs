using OpenCvSharp;

namespace Deid.Effect.Detection;

/// <summary>
/// One face found in one frame: its box, YuNet's five landmarks (right eye as seen on the image's left, left eye,
/// nose tip, right and left mouth corner) and a confidence in 0..1. Coordinates are frame pixels.
/// </summary>
public sealed record FaceDetection(Rect2f Box, Point2f[] Landmarks, float Score)
{
    public const int LandmarkCount = 5;

    public FaceDetection Scaled(float factor) => new(
        new Rect2f(Box.X * factor, Box.Y * factor, Box.Width * factor, Box.Height * factor),
        Landmarks.Select(p => new Point2f(p.X * factor, p.Y * factor)).ToArray(),
        Score);
}
