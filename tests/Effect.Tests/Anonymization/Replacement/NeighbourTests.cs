using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Evaluation;
using Deid.Effect.Landmarks;
using Deid.Effect.Tracking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>
/// Faces of one frame are replaced one after another, doubtful ones (blurred) first: what is done to a neighbour
/// must not change what the new face of the next one follows.
/// </summary>
public sealed class NeighbourTests(ITestOutputHelper output, ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    /// <summary>Face size of the Hamilton clip's singers, where the landmarks of a face are read from few pixels.</summary>
    private const float SmallFaceWidth = 80;

    /// <summary>
    /// A doubtful box over the forehead and one eye (the detector finds such on a raised hand or hair) is blurred
    /// before the face beneath is replaced. The new face must still keep the person's pose and expression: read from
    /// the blurred frame, the landmarks moved with the blur and the new face turned with them.
    /// </summary>
    [Fact]
    public void A_blurred_doubtful_box_over_the_forehead_does_not_turn_the_new_face()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"), ImreadModes.Color);
        var large = models.Detector.Detect(photo).MaxBy(d => d.Score)!;
        using var frame = new Mat();
        Cv2.Resize(photo, frame, new Size(), SmallFaceWidth / large.Box.Width, SmallFaceWidth / large.Box.Width, InterpolationFlags.Area);
        var detection = models.Detector.Detect(frame).MaxBy(d => d.Score)!;
        var face = new FaceRegion(0, detection.Box, detection.Landmarks, detection.Score, true);
        var box = face.Box;
        var doubtful = new FaceRegion(1, new Rect2f(box.X - 0.1f * box.Width, box.Y - 0.15f * box.Height, 0.5f * box.Width, 0.6f * box.Height), [], 0.6f, true);

        var original = models.Landmarker.Locate(frame, box);
        var options = new ReplacementOptions { Seed = 3, DonorFolder = SharedAssets.Media("photos") };
        using var replacer = models.CreateReplacer(options);
        var plan = replacer.Plan("person", [(frame, face)]);
        Assert.NotNull(plan.Donors);
        using var result = frame.Clone();
        var outcomes = replacer.ApplyAll(result, [(face, plan), (doubtful, plan)], new MaskOptions());
        // Told in the order given, though the doubtful box went first: the face replaced, the doubtful box blurred.
        Assert.Equal([ReplacementOutcome.Replaced, ReplacementOutcome.BlurredNoLandmarks], outcomes);
        Assert.Equal(1, replacer.Statistics.Count(ReplacementOutcome.Replaced));

        var replaced = models.Landmarker.Locate(result, box);
        var before = FaceMeasures.From(original, frame.Size());
        var after = FaceMeasures.From(replaced, frame.Size());
        var turn = before.Pose.LargestDifference(after.Pose);
        output.WriteLine($"face {box.Width:0} px: pose {before.Pose} -> {after.Pose}, largest change {turn:0.0} degrees; " +
                         $"landmarks {Face68.MeanDistance(original, replaced):0.00} px apart; eyes {before.EyeOpening:0.000} -> {after.EyeOpening:0.000}, " +
                         $"mouth {before.MouthOpening:0.000} -> {after.MouthOpening:0.000}");
        // Measured: 0.24 px apart, turned by 0.6 degrees; with the landmarks read from the blurred frame 1.53 px and 4.0.
        var apart = Face68.MeanDistance(original, replaced);
        Assert.True(apart <= 0.01f * box.Width, $"the new face's landmarks are {apart:0.00} px from the original's");
        Assert.True(before.PoseKeptIn(after), $"the new face turned by {turn:0.0} degrees");
        Assert.True(before.EyesKeptIn(after), $"eye opening {before.EyeOpening:0.000} -> {after.EyeOpening:0.000}");
        Assert.True(before.MouthKeptIn(after), $"mouth opening {before.MouthOpening:0.000} -> {after.MouthOpening:0.000}");
    }
}
