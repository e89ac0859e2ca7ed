using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>
/// A face on which the person's new face, retried too, is still matched to them gets one of their other new faces
/// (other donor mixes planned on the same samples) rather than a blur, held to the retry's rule.
/// </summary>
public sealed class AlternateNewFaceTests(ITestOutputHelper output, ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    [Fact]
    public void Planning_keeps_another_mix_of_other_donor_faces()
    {
        var (photo, region) = Obama();
        using (photo)
        {
            using var replacer = models.CreateReplacer(new ReplacementOptions { Seed = 3, DonorFolder = SharedAssets.Media("photos") });
            var plan = replacer.Plan("person", [(photo, region)]);
            output.WriteLine($"new face {plan.Donors} at {plan.PlannedDistance:0.000}; others {string.Join(", ", plan.Alternates.Select(a => $"{a.Donors} at {a.PlannedDistance:0.000}"))}");
            Assert.NotNull(plan.Donors);
            Assert.Equal(2, plan.Alternates.Count);
            var faces = new List<HashSet<int>> { plan.Donors!.Donors.ToHashSet() };
            foreach (var alternate in plan.Alternates)
            {
                Assert.NotNull(alternate.Donors);
                Assert.DoesNotContain(faces, earlier => earlier.SetEquals(alternate.Donors!.Donors));
                faces.Add(alternate.Donors!.Donors.ToHashSet());
                Assert.Empty(alternate.Alternates);
                Assert.True(alternate.PlannedDistance > models.Embedder.MatchThreshold, $"another new face was planned {alternate.PlannedDistance:0.000} from the person");
            }
            using var chip = new Mat();
            FaceAligner.Align(photo, region.Landmarks, chip);
            var person = models.Embedder.Embed([chip])[0];
            foreach (var donor in plan.Alternates.SelectMany(a => a.Donors!.Donors))
                Assert.True(models.Embedder.Distance(person, replacer.Donors!.Faces[donor].Embedding) >= replacer.Options.DonorMinimumDistance,
                    $"another new face borrows from {replacer.Donors.Faces[donor].Source}, the person's own portrait");
        }
    }

    /// <summary>
    /// The plan's mix is replaced by the person's own portrait, so the new face (and its retry) is the person again:
    /// without another mix the face is blurred; with it, the face gets the other new face, beyond the match distance.
    /// </summary>
    [Fact]
    public void A_face_its_new_face_cannot_hide_gets_the_other_new_face()
    {
        var (photo, region) = Obama();
        using (photo)
        {
            using var replacer = models.CreateReplacer(new ReplacementOptions { Seed = 3, DonorFolder = SharedAssets.Media("photos") });
            var plan = replacer.Plan("person", [(photo, region)]);
            using var chip = new Mat();
            FaceAligner.Align(photo, region.Landmarks, chip);
            var person = models.Embedder.Embed([chip])[0];
            var donors = replacer.Donors!.Faces;
            var ownPortrait = Enumerable.Range(0, donors.Count).MinBy(d => models.Embedder.Distance(person, donors[d].Embedding));
            Assert.True(models.Embedder.Distance(person, donors[ownPortrait].Embedding) < models.Embedder.MatchThreshold, "no portrait of the person among the donors");
            var himself = plan with { Donors = new DonorMix([ownPortrait], [1f]) };

            using var blurred = photo.Clone();
            var alone = replacer.Apply(blurred, region, himself with { Alternates = [] }, new MaskOptions());
            using var replaced = photo.Clone();
            var withOther = replacer.Apply(replaced, region, himself, new MaskOptions());

            var distance = DistanceFromPerson(replaced, region, person);
            output.WriteLine($"own portrait {donors[ownPortrait].Source}: alone {alone}; with the other new face {withOther}, {distance:0.000} from the person");
            Assert.Equal(ReplacementOutcome.BlurredStillRecognized, alone);
            Assert.Equal(ReplacementOutcome.ReplacedByAlternate, withOther);
            Assert.Equal(1, replacer.Statistics.Count(ReplacementOutcome.ReplacedByAlternate));
            Assert.True(distance > models.Embedder.MatchThreshold + replacer.Options.RetryMargin, $"the other new face is {distance:0.000} from the person");
            Assert.True(ReplacementBehaviourTests.Difference(blurred, replaced, region.Box) > 3, "the other new face looks like the blur");
        }
    }

    /// <summary>
    /// The plan's mix and its second face are both the person's own portrait: the face gets the third new face, not
    /// a blur; with the second face alone to fall back on, it is blurred.
    /// </summary>
    [Fact]
    public void A_face_its_first_two_new_faces_cannot_hide_gets_the_third()
    {
        var (photo, region) = Obama();
        using (photo)
        {
            using var replacer = models.CreateReplacer(new ReplacementOptions { Seed = 3, DonorFolder = SharedAssets.Media("photos") });
            var plan = replacer.Plan("person", [(photo, region)]);
            Assert.Equal(2, plan.Alternates.Count);
            using var chip = new Mat();
            FaceAligner.Align(photo, region.Landmarks, chip);
            var person = models.Embedder.Embed([chip])[0];
            var donors = replacer.Donors!.Faces;
            var ownPortrait = new DonorMix([Enumerable.Range(0, donors.Count).MinBy(d => models.Embedder.Distance(person, donors[d].Embedding))], [1f]);
            var himself = plan with { Donors = ownPortrait };
            var himselfAgain = plan.Alternates[0] with { Donors = ownPortrait };

            using var blurred = photo.Clone();
            var twoFaces = replacer.Apply(blurred, region, himself with { Alternates = [himselfAgain] }, new MaskOptions());
            using var replaced = photo.Clone();
            var threeFaces = replacer.Apply(replaced, region, himself with { Alternates = [himselfAgain, plan.Alternates[1]] }, new MaskOptions());

            var distance = DistanceFromPerson(replaced, region, person);
            output.WriteLine($"two faces of him: {twoFaces}; with a third, {plan.Alternates[1].Donors}: {threeFaces}, {distance:0.000} from the person");
            Assert.Equal(ReplacementOutcome.BlurredStillRecognized, twoFaces);
            Assert.Equal(ReplacementOutcome.ReplacedByAlternate, threeFaces);
            Assert.True(distance > models.Embedder.MatchThreshold + replacer.Options.RetryMargin, $"the third new face is {distance:0.000} from the person");
            Assert.True(ReplacementBehaviourTests.Difference(blurred, replaced, region.Box) > 3, "the third new face looks like the blur");
        }
    }

    /// <summary>
    /// A track that had to take the person's other new face (their own was the person's portrait) keeps it on the
    /// frames that follow, even where their own new face would pass, instead of switching between the two faces from
    /// frame to frame; another track, and a replacer told that frames stand alone, give the person's own. Where the
    /// other new face no longer clears the match distance, the track goes back to the person's own and stays there.
    /// </summary>
    [Fact]
    public void A_track_keeps_the_other_new_face_it_had_to_take()
    {
        var (photo, region) = Obama();
        using (photo)
        {
            var options = new ReplacementOptions { Seed = 3, DonorFolder = SharedAssets.Media("photos") };
            using var replacer = models.CreateReplacer(options);
            using var standing = models.CreateReplacer(options with { KeepNewFaceAlongTrack = false });
            var plan = replacer.Plan("person", [(photo, region)]);
            using var chip = new Mat();
            FaceAligner.Align(photo, region.Landmarks, chip);
            var person = models.Embedder.Embed([chip])[0];
            var donors = replacer.Donors!.Faces;
            var ownPortrait = new DonorMix([Enumerable.Range(0, donors.Count).MinBy(d => models.Embedder.Distance(person, donors[d].Embedding))], [1f]);
            var mask = new MaskOptions();
            (ReplacementOutcome Outcome, Mat Frame) Render(FaceReplacer by, FaceRegion face, IdentityTransform transform)
            {
                var frame = photo.Clone();
                return (by.Apply(frame, face, transform, mask), frame);
            }

            var (taken, takenFrame) = Render(replacer, region, plan with { Donors = ownPortrait });
            var (next, nextFrame) = Render(replacer, region, plan);
            var (otherTrack, otherTrackFrame) = Render(replacer, region with { TrackId = 1 }, plan);
            Render(standing, region, plan with { Donors = ownPortrait }).Frame.Dispose();
            var (alone, aloneFrame) = Render(standing, region, plan);
            using (takenFrame)
            using (nextFrame)
            using (otherTrackFrame)
            using (aloneFrame)
            {
                var kept = ReplacementBehaviourTests.Difference(takenFrame, nextFrame, region.Box);
                var own = ReplacementBehaviourTests.Difference(otherTrackFrame, nextFrame, region.Box);
                output.WriteLine($"taken {taken}, next {next} ({kept:0.00} from the face taken, {own:0.00} from the person's own); other track {otherTrack}; frames alone {alone}");
                Assert.Equal(ReplacementOutcome.ReplacedByAlternate, taken);
                Assert.Equal(ReplacementOutcome.ReplacedByAlternate, next);
                Assert.True(kept < 1, $"the next frame's face is {kept:0.00} from the other new face the track wore");
                Assert.True(own > 3, $"the other new face looks like the person's own ({own:0.00})");
                Assert.True(DistanceFromPerson(nextFrame, region, person) > models.Embedder.MatchThreshold + options.RetryMargin, "the kept face came near the person");
                Assert.Equal(ReplacementOutcome.Replaced, otherTrack);
                Assert.Equal(ReplacementOutcome.Replaced, alone);
                Assert.True(ReplacementBehaviourTests.Difference(otherTrackFrame, aloneFrame, region.Box) < 1, "frames standing alone did not get the person's own new face");
            }

            // The other new face is now the person's portrait too: the track goes back to their own, and keeps it.
            var (back, backFrame) = Render(replacer, region, plan with { Alternates = [plan.Alternates[0] with { Donors = ownPortrait }, plan.Alternates[1]] });
            var (after, afterFrame) = Render(replacer, region, plan);
            backFrame.Dispose();
            afterFrame.Dispose();
            Assert.Equal(ReplacementOutcome.Replaced, back);
            Assert.Equal(ReplacementOutcome.Replaced, after);
        }
    }

    private (Mat Photo, FaceRegion Region) Obama()
    {
        var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"), ImreadModes.Color);
        var detection = models.Detector.Detect(photo).MaxBy(d => d.Score)!;
        return (photo, new FaceRegion(0, detection.Box, detection.Landmarks, detection.Score, true));
    }

    private float DistanceFromPerson(Mat frame, FaceRegion region, float[] person)
    {
        using var chip = new Mat();
        FaceAligner.Align(frame, region.Landmarks, chip);
        return models.Embedder.Distance(person, models.Embedder.Embed([chip])[0]);
    }
}
