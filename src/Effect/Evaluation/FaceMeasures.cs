using Deid.Effect.Landmarks;
using OpenCvSharp;

namespace Deid.Effect.Evaluation;

/// <summary>
/// What a face does, read from its 68 landmarks: head pose, eye opening and mouth opening (see <see cref="Face68"/>);
/// and whether an anonymized face still does the same as the original, which is what an editor needs for the
/// footage to stay usable (a face that looks elsewhere or stops talking changes the scene).
/// </summary>
public sealed record FaceMeasures(HeadPose Pose, float EyeOpening, float MouthOpening)
{
    /// <summary>Each of yaw, pitch and roll within this many degrees of the original.</summary>
    public const double PoseToleranceDegrees = 5;

    /// <summary>Eye and mouth opening within this fraction of the original.</summary>
    public const float OpeningTolerance = 0.15f;

    /// <summary>
    /// The mouth's allowance never drops below this much of the mouth's width. A closed mouth measures about 0, so
    /// 15 % of it is far below a pixel and landmark jitter alone would call every closed mouth "changed"; 0.03 of a
    /// 50 px wide mouth is 1.5 px, the landmarker's own noise, while a mouth that opens to speak goes past 0.1.
    /// The eyes need no floor: an open eye measures about 0.25-0.3, so 15 % of it is already well above the noise.
    /// </summary>
    public const float MouthOpeningFloor = 0.03f;

    public static FaceMeasures From(ReadOnlySpan<Point2f> landmarks68, Size imageSize) =>
        new(HeadPose.Estimate(landmarks68, imageSize), Face68.EyeOpening(landmarks68), Face68.MouthOpening(landmarks68));

    public bool PoseKeptIn(FaceMeasures output) => Pose.LargestDifference(output.Pose) <= PoseToleranceDegrees;

    public bool EyesKeptIn(FaceMeasures output) => MathF.Abs(output.EyeOpening - EyeOpening) <= EyeAllowance;

    public bool MouthKeptIn(FaceMeasures output) =>
        MathF.Abs(output.MouthOpening - MouthOpening) <= MouthAllowance;

    /// <summary>
    /// How near the output comes to losing pose or expression: the pose, eye and mouth changes, each as a share of
    /// what is allowed (1: at the tolerance).
    /// </summary>
    public (double Pose, double Eyes, double Mouth) SharesOfTolerance(FaceMeasures output) => (
        Pose.LargestDifference(output.Pose) / PoseToleranceDegrees,
        MathF.Abs(output.EyeOpening - EyeOpening) / MathF.Max(EyeAllowance, 1e-6f),
        MathF.Abs(output.MouthOpening - MouthOpening) / MouthAllowance);

    private float EyeAllowance => OpeningTolerance * EyeOpening;

    private float MouthAllowance => MathF.Max(OpeningTolerance * MouthOpening, MouthOpeningFloor);
}
