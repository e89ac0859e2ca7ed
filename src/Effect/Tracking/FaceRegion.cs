using OpenCvSharp;

namespace Deid.Effect.Tracking;

/// <summary>
/// Where a tracked face is in one frame, after gap filling and smoothing. <see cref="Observed"/> is false where the
/// detector missed the face and the region was interpolated or held; the face is covered all the same.
/// </summary>
public sealed record FaceRegion(int TrackId, Rect2f Box, Point2f[] Landmarks, float Score, bool Observed);
