using System.Diagnostics;
using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Tracking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>What replacing costs: milliseconds per face for Apply (with and without the safety check) and per identity for Plan.</summary>
public sealed class ReplacementSpeedTests(ITestOutputHelper output, ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    [Fact]
    public void Apply_and_plan_costs_are_measured()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "two_people.jpg"), ImreadModes.Color);
        var detection = models.Detector.Detect(photo).OrderByDescending(d => d.Score).First();
        var region = new FaceRegion(1, detection.Box, detection.Landmarks, detection.Score, true);
        foreach (var check in new[] { false, true })
        {
            using var replacer = models.CreateReplacer(new ReplacementOptions { SafetyCheck = check });
            var plan = replacer.Plan("speed", [(photo, region)]);
            using var frame = photo.Clone();
            replacer.Apply(frame, region, plan, new MaskOptions()); // warm-up
            const int rounds = 20;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < rounds; i++)
            {
                photo.CopyTo(frame);
                replacer.Apply(frame, region, plan, new MaskOptions());
            }
            var perFace = clock.Elapsed.TotalMilliseconds / rounds;
            clock.Restart();
            for (var i = 0; i < 3; i++) replacer.Plan($"speed{i}", [(photo, region)]);
            var perPlan = clock.Elapsed.TotalMilliseconds / 3;
            output.WriteLine($"{detection.Box.Width:0} px face, safety check {check}: apply {perFace:0.0} ms per face; plan {perPlan:0} ms per identity (1 sample); {replacer.Statistics}");
            Assert.True(perFace < 500, $"apply took {perFace:0} ms per face");
        }
    }
}
