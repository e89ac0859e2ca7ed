using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Anonymization.Replacement.Donors;

/// <summary>The donors' face under the original's light: its colour is the original's, however dim.</summary>
public sealed class DonorLightTests(ITestOutputHelper output, ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    /// <summary>
    /// A dark face in dim, warm light (a back row of an audience) with a pale donor: every channel's gain is far
    /// below 1, blue's most. Limited channel by channel, the new face came out grey-blue.
    /// </summary>
    [Fact]
    public void A_pale_donor_on_a_dark_face_in_dim_light_keeps_the_light_s_hue()
    {
        using var bank = DonorBank.Load(SharedAssets.Media("photos"), models.Detector, models.Landmarker, models.Embedder);
        var person = bank.Faces.First(f => f.Source == "obama.jpg");
        var donor = bank.Faces.First(f => f.Source == "train_rose_leslie_img1.jpg");
        using var dim = new Mat();
        person.Canonical.ConvertTo(dim, MatType.CV_32FC3);
        Cv2.Multiply(dim, new Scalar(0.18, 0.27, 0.42), dim);
        using var original = new Mat();
        dim.ConvertTo(original, MatType.CV_8UC3);

        using var renderer = new DonorRenderer();
        using var face = new Mat();
        using var mask = new Mat();
        renderer.Render(original, person.Points, [(donor, 1f)], new MaskOptions(), face, mask);

        using var inside = mask.GreaterThan(0.9);
        var before = Cv2.Mean(original, inside);
        var after = Cv2.Mean(face, inside);
        var hueBefore = before.Val0 / before.Val2;
        var hueAfter = after.Val0 / after.Val2;
        output.WriteLine($"original BGR ({before.Val0:0.0}, {before.Val1:0.0}, {before.Val2:0.0}), new face ({after.Val0:0.0}, {after.Val1:0.0}, {after.Val2:0.0}); blue/red {hueBefore:0.000} -> {hueAfter:0.000}");
        Assert.InRange(hueAfter, 0.85 * hueBefore, 1.15 * hueBefore);
        Assert.InRange(after.Val2, 0.7 * before.Val2, 1.3 * before.Val2);
    }
}
