using OpenCvSharp;

namespace Deid.Effect.Tracking;

/// <summary>
/// Where a tracked face is in one frame, after gap filling and smoothing. <see cref="Observed"/> is false where the
/// detector missed the face and the region was interpolated or held; the face is covered all the same.
/// </summary>
public sealed record FaceRegion(int TrackId, Rect2f Box, Point2f[] Landmarks, float Score, bool Observed)
{
    /// <summary>
    /// The detector's own five points on this frame, before the track was smoothed (null where it was not
    /// observed): where a face recognizer looking at this frame would align the face.
    /// </summary>
    public Point2f[]? DetectedLandmarks { get; init; }

    /// <summary>The same region in an image whose origin is at (<paramref name="x"/>, <paramref name="y"/>) of this one.</summary>
    public FaceRegion Shifted(float x, float y) => this with
    {
        Box = new Rect2f(Box.X - x, Box.Y - y, Box.Width, Box.Height),
        Landmarks = Shift(Landmarks, x, y),
        DetectedLandmarks = DetectedLandmarks is null ? null : Shift(DetectedLandmarks, x, y),
    };

    private static Point2f[] Shift(Point2f[] points, float x, float y) => points.Select(p => new Point2f(p.X - x, p.Y - y)).ToArray();
}
