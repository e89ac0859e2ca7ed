using Deid.Effect.Evaluation;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// Whether the landmarker reads a source face's head pose, eye opening and mouth opening within the tolerances again
/// when the picture moves by half a pixel (as the <see cref="ShiftedMethod"/> control moves it). Where it does not,
/// that measure cannot judge any method on that face: the reading alone already moves past the tolerance.
/// </summary>
public sealed record RepeatableReading(bool Pose, bool Eyes, bool Mouth)
{
    /// <summary>Which measures of <paramref name="original"/> the reading of the moved picture, <paramref name="again"/>, keeps.</summary>
    public static RepeatableReading Between(FaceMeasures original, FaceMeasures again) =>
        new(original.PoseKeptIn(again), original.EyesKeptIn(again), original.MouthKeptIn(again));
}
