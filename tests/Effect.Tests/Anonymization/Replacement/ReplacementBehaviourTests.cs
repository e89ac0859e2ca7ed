using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Tracking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>Seeds, failing closed, and stability over frames.</summary>
public sealed class ReplacementBehaviourTests(ITestOutputHelper output, ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    [Fact]
    public void Same_seed_gives_the_same_face_and_another_seed_another()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"), ImreadModes.Color);
        var region = Region(photo);
        using var first = Replace(photo, region, seed: 5);
        using var again = Replace(photo, region, seed: 5);
        using var other = Replace(photo, region, seed: 6);
        Assert.Equal(0, Difference(first, again, region.Box));
        var change = Difference(first, other, region.Box);
        output.WriteLine($"seed 5 vs 6: mean difference {change:0.00} levels inside the face box");
        Assert.True(change > 2, $"another seed changed the face by only {change:0.00} levels");
    }

    [Fact]
    public void A_face_too_small_to_replace_is_blurred()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"), ImreadModes.Color);
        using var small = new Mat();
        Cv2.Resize(photo, small, new Size(), 0.08, 0.08, InterpolationFlags.Area);
        var region = Scale(Region(photo), 0.08f);
        Assert.True(region.Box.Width < 24);
        using var replacer = models.CreateReplacer(new ReplacementOptions());
        var plan = replacer.Plan("small", [(small, region)]);
        using var result = small.Clone();
        replacer.Apply(result, region, plan, new MaskOptions());
        Assert.Equal(1, replacer.Statistics.Count(ReplacementOutcome.BlurredTooSmall));
        Assert.True(Difference(small, result, region.Box) > 1, "the small face was left as it was");
    }

    [Fact]
    public void Landmarks_that_do_not_make_a_face_give_a_blurred_face()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"), ImreadModes.Color);
        var region = Region(photo);
        // Five points upside down: eyes where the mouth is. The 68 points then do not stand upright.
        var p = region.Landmarks;
        var upsideDown = region with { Landmarks = [p[4], p[3], p[2], p[1], p[0]] };
        using var replacer = models.CreateReplacer(new ReplacementOptions());
        var plan = replacer.Plan("upside down", [(photo, upsideDown)]);
        using var result = photo.Clone();
        replacer.Apply(result, upsideDown, plan, new MaskOptions());
        Assert.Equal(1, replacer.Statistics.Count(ReplacementOutcome.BlurredNoLandmarks));
        Assert.True(Difference(photo, result, region.Box) > 3, "the face was left as it was");
    }

    [Fact]
    public void Replaced_face_changes_from_frame_to_frame_no_more_than_the_source()
    {
        // A still face seen through sensor noise and a jittering detector: what changes between frames is noise.
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "two_people.jpg"), ImreadModes.Color);
        var region = Region(photo);
        var random = new Random(11);
        using var replacer = models.CreateReplacer(new ReplacementOptions { SafetyCheck = false });
        var plan = replacer.Plan("still", [(photo, region)]);
        Mat? previousSource = null, previousOutput = null;
        double sourceChange = 0, outputChange = 0;
        const int frames = 12;
        try
        {
            for (var i = 0; i < frames; i++)
            {
                var source = photo.Clone();
                using (var noise = new Mat(photo.Size(), MatType.CV_8SC3))
                {
                    Cv2.Randn(noise, Scalar.All(0), Scalar.All(3));
                    Cv2.Add(source, noise, source, null, MatType.CV_8UC3.Value);
                }
                float Jitter(float amount) => (random.NextSingle() * 2 - 1) * amount;
                var jittered = region with
                {
                    Box = new Rect2f(region.Box.X + Jitter(1), region.Box.Y + Jitter(1), region.Box.Width + Jitter(1), region.Box.Height + Jitter(1)),
                    Landmarks = region.Landmarks.Select(q => new Point2f(q.X + Jitter(0.5f), q.Y + Jitter(0.5f))).ToArray(),
                };
                var result = source.Clone();
                replacer.Apply(result, jittered, plan, new MaskOptions());
                if (previousSource is not null)
                {
                    sourceChange += Difference(previousSource, source, region.Box);
                    outputChange += Difference(previousOutput!, result, region.Box);
                }
                previousSource?.Dispose();
                previousOutput?.Dispose();
                previousSource = source;
                previousOutput = result;
            }
        }
        finally
        {
            previousSource?.Dispose();
            previousOutput?.Dispose();
        }
        sourceChange /= frames - 1;
        outputChange /= frames - 1;
        output.WriteLine($"mean frame-to-frame change inside the face: source {sourceChange:0.00} levels, replaced {outputChange:0.00}");
        Assert.True(outputChange <= sourceChange, $"the replaced face flickers: {outputChange:0.00} levels per frame against the source's {sourceChange:0.00}");
    }

    private FaceRegion Region(Mat photo)
    {
        var detection = models.Detector.Detect(photo).OrderByDescending(d => d.Score).First();
        return new FaceRegion(1, detection.Box, detection.Landmarks, detection.Score, true);
    }

    private static FaceRegion Scale(FaceRegion region, float factor) => region with
    {
        Box = new Rect2f(region.Box.X * factor, region.Box.Y * factor, region.Box.Width * factor, region.Box.Height * factor),
        Landmarks = region.Landmarks.Select(p => new Point2f(p.X * factor, p.Y * factor)).ToArray(),
    };

    private Mat Replace(Mat photo, FaceRegion region, int seed)
    {
        using var replacer = models.CreateReplacer(new ReplacementOptions { Seed = seed });
        var plan = replacer.Plan("person", [(photo, region)]);
        var result = photo.Clone();
        replacer.Apply(result, region, plan, new MaskOptions());
        return result;
    }

    /// <summary>Mean absolute difference, in grey levels, inside the box.</summary>
    internal static double Difference(Mat a, Mat b, Rect2f box)
    {
        var rect = new Rect((int)box.X, (int)box.Y, (int)box.Width, (int)box.Height).Intersect(new Rect(0, 0, a.Width, a.Height));
        using var partA = new Mat(a, rect);
        using var partB = new Mat(b, rect);
        using var difference = new Mat();
        Cv2.Absdiff(partA, partB, difference);
        var mean = Cv2.Mean(difference);
        return (mean.Val0 + mean.Val1 + mean.Val2) / 3;
    }
}
