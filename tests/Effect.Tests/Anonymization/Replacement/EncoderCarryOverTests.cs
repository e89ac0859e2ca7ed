using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Tracking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>
/// With the encoder forecast (frames in clip order, the file not read back): a new face is judged also as a video
/// encoder leaves it, partly carried over from what the frame before showed of the same track
/// (<see cref="ReplacementOptions.ForecastEncoder"/>).
/// </summary>
public sealed class EncoderCarryOverTests(ITestOutputHelper output, ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    [Fact]
    public void A_new_face_right_after_a_frame_that_showed_the_person_is_blurred_and_only_then()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"), ImreadModes.Color);
        var detection = models.Detector.Detect(photo).MaxBy(d => d.Score)!;
        var face = new FaceRegion(0, detection.Box, detection.Landmarks, detection.Score, true);
        // The same track on the frame before with a box too small to replace: only that box is blurred, so the
        // frame written before still shows most of the person's face.
        var centre = new Point2f(face.Box.X + face.Box.Width / 2, face.Box.Y + face.Box.Height / 2);
        var barelyHidden = face with { Box = new Rect2f(centre.X - 6, centre.Y - 6, 12, 12) };

        IReadOnlyList<ReplacementOutcome> Frames(bool inOrder)
        {
            var options = new ReplacementOptions { Seed = 3, DonorFolder = SharedAssets.Media("photos"), ForecastEncoder = inOrder };
            using var replacer = models.CreateReplacer(options);
            var plan = replacer.Plan("person", [(photo, face)]);
            Assert.NotNull(plan.Donors);
            var outcomes = new List<ReplacementOutcome>();
            foreach (var region in new[] { barelyHidden, face, face })
            {
                using var frame = photo.Clone();
                outcomes.Add(Assert.Single(replacer.ApplyAll(frame, [(region, plan)], new MaskOptions())));
            }
            return outcomes;
        }

        var alone = Frames(inOrder: false);
        var inOrder = Frames(inOrder: true);
        output.WriteLine($"frames judged alone: {string.Join(", ", alone)}; in order: {string.Join(", ", inOrder)}");
        Assert.Equal([ReplacementOutcome.BlurredTooSmall, ReplacementOutcome.Replaced, ReplacementOutcome.Replaced], alone);
        // Half of the person carried into the new face is the person: blurred. The next frame carries the new face's
        // own blur from that one, which is nobody: replaced again.
        Assert.Equal([ReplacementOutcome.BlurredTooSmall, ReplacementOutcome.BlurredForTheEncoder, ReplacementOutcome.Replaced], inOrder);
    }
}
