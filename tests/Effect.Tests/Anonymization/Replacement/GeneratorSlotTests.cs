using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Geometry;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>
/// The slot for a learned generator (docs/GENERATOR.md), tested with tiny generated models
/// (Assets/make_test_generator.py): image = 1 - face, mask = a centred disc.
/// </summary>
public sealed class GeneratorSlotTests(ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    private static string Asset(string name) => TestGenerators.Path(name);

    [Fact]
    public void Generator_output_lands_where_the_canonical_alignment_says()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"), ImreadModes.Color);
        var detection = models.Detector.Detect(photo).OrderByDescending(d => d.Score).First();
        var region = new FaceRegion(1, detection.Box, detection.Landmarks, detection.Score, true);
        using var replacer = models.CreateReplacer(new ReplacementOptions { GeneratorPath = Asset("test_generator.onnx"), SafetyCheck = false });
        var plan = replacer.Plan("generator", [(photo, region)]);
        Assert.Equal(IdentityTransform.EmbeddingLength, plan.TargetIdentity().Length);
        using var output = photo.Clone();
        replacer.Apply(output, region, plan, new MaskOptions { Feather = 0 });
        Assert.Equal(1, replacer.Statistics.Count(ReplacementOutcome.Replaced));

        // The centre of the canonical square is inside the disc: there the frame holds the inverted face.
        const int size = 32;
        var fromCanonical = CanonicalFace.Invert(CanonicalFace.TransformFor(region.Landmarks, size));
        var centre = SimilarityTransform.Apply(fromCanonical, new Point2f(size / 2f, size / 2f));
        var before = MeanAround(photo, centre);
        var after = MeanAround(output, centre);
        for (var c = 0; c < 3; c++) Assert.InRange(after[c], 255 - before[c] - 20, 255 - before[c] + 20);

        // A corner of the square is outside the disc (mask 0): untouched.
        var corner = SimilarityTransform.Apply(fromCanonical, new Point2f(2, 2));
        Assert.Equal(photo.At<Vec3b>((int)corner.Y, (int)corner.X), output.At<Vec3b>((int)corner.Y, (int)corner.X));
        // Far outside the square: untouched.
        Assert.Equal(photo.At<Vec3b>(5, 5), output.At<Vec3b>(5, 5));
    }

    [Theory]
    [InlineData("wrong_names_generator.onnx", "no input named 'face'")]
    [InlineData("wrong_shape_generator.onnx", "input 'face' must be [1,3,S,S]")]
    [InlineData("missing_generator.onnx", "does not exist")]
    public void A_model_that_breaks_the_contract_is_refused_with_a_clear_error(string file, string expected)
    {
        var error = Assert.Throws<FaceGeneratorException>(() =>
            models.CreateReplacer(new ReplacementOptions { GeneratorPath = Asset(file) }).Dispose());
        Assert.Contains(expected, error.Message);
    }

    private static double[] MeanAround(Mat image, Point2f point)
    {
        var x = (int)MathF.Round(point.X);
        var y = (int)MathF.Round(point.Y);
        using var patch = new Mat(image, new Rect(x - 4, y - 4, 9, 9));
        var mean = Cv2.Mean(patch);
        return [mean.Val0, mean.Val1, mean.Val2];
    }
}
