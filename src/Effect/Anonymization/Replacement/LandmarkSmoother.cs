using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// Damps the frame-to-frame jitter of 68-point landmarks along a track. Points are smoothed in the canonical
/// frame, which already follows the tracked (smoothed) five points, so only the landmarker's own noise is
/// filtered: small movements are damped, large ones (speech, blinks) are followed at once. A face that jumps
/// (a new shot, a different face under the same track number) starts afresh.
/// </summary>
public sealed class LandmarkSmoother(float smoothing, float canonicalSize)
{
    private readonly Dictionary<int, Point2f[]> _state = [];
    private readonly float _followAt = 0.05f * canonicalSize;
    private readonly float _restartAt = 0.08f * canonicalSize;

    public Point2f[] Smooth(int trackId, Point2f[] points)
    {
        if (smoothing <= 0) return points;
        lock (_state)
        {
            if (!_state.TryGetValue(trackId, out var previous) || previous.Length != points.Length || Landmarks.Face68.MeanDistance(previous, points) > _restartAt)
            {
                _state[trackId] = (Point2f[])points.Clone();
                return points;
            }
            var result = new Point2f[points.Length];
            for (var i = 0; i < points.Length; i++)
            {
                var dx = points[i].X - previous[i].X;
                var dy = points[i].Y - previous[i].Y;
                var move = MathF.Sqrt(dx * dx + dy * dy);
                var follow = Math.Clamp(1 - smoothing + smoothing * move / _followAt, 0, 1);
                result[i] = new Point2f(previous[i].X + follow * dx, previous[i].Y + follow * dy);
            }
            _state[trackId] = result;
            return (Point2f[])result.Clone();
        }
    }

    public void Forget(int trackId)
    {
        lock (_state) _state.Remove(trackId);
    }
}
