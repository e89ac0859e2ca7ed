using Deid.PluginHost.Evaluation;
using Newtonsoft.Json.Linq;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Evaluation;

/// <summary>
/// `deid eval` on the folder of photos: every measure is reported for every method; the untouched control scores
/// what an untouched face must (so each measure can fail), and the methods score what hiding a face must.
/// </summary>
public sealed class PhotoEvaluationTests(PhotoEvaluationFixture run, ITestOutputHelper output) : IClassFixture<PhotoEvaluationFixture>
{
    private static readonly string[] Measures =
    [
        "identity.withinThresholdShare", "identity.leakedShare", "identity.meanDistance",
        "naturalness.stillFoundShare",
        "poseAndExpression.poseKeptShare", "poseAndExpression.eyesKeptShare", "poseAndExpression.mouthKeptShare",
        "poseAndExpression.medianPoseDifferenceDegrees",
        "poseAndExpression.whereRepeatable.poseFaces", "poseAndExpression.whereRepeatable.eyesFaces", "poseAndExpression.whereRepeatable.mouthFaces",
        "speed.framesPerSecond", "speed.millisecondsPerFace",
    ];

    [Fact]
    public void Runs_and_reports_every_measure_for_every_method()
    {
        output.WriteLine(run.Run.StandardOutput);
        Assert.True(run.Run.ExitCode == 0, run.Run.StandardError);
        Assert.Equal("deid-eval", (string?)run.Report["format"]);
        Assert.Equal("photos", (string?)run.Report["kind"]);
        Assert.True((int)run.Report["confidentFaces"]! >= 15, "too few confident faces in the photos");
        Assert.Equal(PhotoEvaluationFixture.Methods, run.Report["methods"]!.Select(m => (string)m["method"]!));
        foreach (var name in PhotoEvaluationFixture.Methods)
        {
            var method = run.Method(name);
            foreach (var measure in Measures)
                Assert.True(method.SelectToken(measure) is { Type: Newtonsoft.Json.Linq.JTokenType.Float or Newtonsoft.Json.Linq.JTokenType.Integer },
                    $"{name}: {measure} missing or null");
            Assert.Equal(Newtonsoft.Json.Linq.JTokenType.Null, method["flicker"]!.Type);
            Assert.Equal(Newtonsoft.Json.Linq.JTokenType.Null, method["steadiness"]!.Type);
            Assert.Contains(name, run.Run.StandardOutput);
        }
    }

    [Fact]
    public void The_untouched_control_leaks_every_face_and_keeps_every_face_natural_and_unchanged()
    {
        var none = run.Method("none");
        Assert.Equal(1.0, (double)none.SelectToken("identity.withinThresholdShare")!);
        Assert.Equal(1.0, (double)none.SelectToken("identity.leakedShare")!);
        Assert.Equal(0.0, (double)none.SelectToken("identity.meanDistance")!);
        Assert.Equal(1.0, (double)none.SelectToken("naturalness.stillFoundShare")!);
        Assert.Equal(1.0, (double)none.SelectToken("poseAndExpression.poseKeptShare")!);
        Assert.Equal(1.0, (double)none.SelectToken("poseAndExpression.eyesKeptShare")!);
        Assert.Equal(1.0, (double)none.SelectToken("poseAndExpression.mouthKeptShare")!);
    }

    /// <summary>
    /// Half a pixel changes nobody: the person stays matched and the face stays a face. On these large faces the
    /// measures barely notice it either, so this floor is no excuse for a method here (on the small faces of the
    /// Hamilton clip it is: about 95 % pose kept).
    /// </summary>
    [Fact]
    public void The_shifted_control_keeps_the_person_and_shows_how_little_noise_the_measures_have_on_large_faces()
    {
        var shifted = run.Method("shifted");
        double Share(string path) => (double)shifted.SelectToken(path)!;
        Assert.Equal(1.0, Share("identity.withinThresholdShare"));
        Assert.True(Share("identity.meanDistance") < 0.2, $"mean distance {Share("identity.meanDistance"):0.000}");
        Assert.True(Share("naturalness.stillFoundShare") >= 0.95, $"still a face: {Share("naturalness.stillFoundShare"):P0}");
        Assert.True(Share("poseAndExpression.poseKeptShare") >= 0.95, $"pose kept: {Share("poseAndExpression.poseKeptShare"):P0}");
        Assert.True(Share("poseAndExpression.eyesKeptShare") >= 0.95, $"eyes kept: {Share("poseAndExpression.eyesKeptShare"):P0}");
        Assert.True(Share("poseAndExpression.mouthKeptShare") >= 0.9, $"mouth kept: {Share("poseAndExpression.mouthKeptShare"):P0}");
    }

    [Theory]
    [InlineData("blur")]
    [InlineData("pixelate")]
    [InlineData("solid")]
    [InlineData("replace")]
    public void At_full_strength_a_method_hides_the_person(string name)
    {
        var method = run.Method(name);
        Assert.True((double)method.SelectToken("identity.leakedShare")! <= 0.05, $"{name} leaks {method.SelectToken("identity.leakedShare")}");
        Assert.True((double)method.SelectToken("identity.meanDistance")! > 0.6);
    }

    [Fact]
    public void Replace_matches_no_face_to_its_person_and_keeps_far_more_of_the_face_than_blur()
    {
        var replace = run.Method("replace");
        var blur = run.Method("blur");
        // The issue's bar for replace on these photos: no output within 0.6 of the person.
        Assert.Equal(0.0, (double)replace.SelectToken("identity.withinThresholdShare")!);
        double Share(JObject method, string path) => (double)method.SelectToken(path)!;
        Assert.True(Share(replace, "naturalness.stillFoundShare") > Share(blur, "naturalness.stillFoundShare") + 0.5,
            $"replace still a face in {Share(replace, "naturalness.stillFoundShare"):P0}, blur {Share(blur, "naturalness.stillFoundShare"):P0}");
        Assert.True(Share(replace, "poseAndExpression.poseKeptShare") > Share(blur, "poseAndExpression.poseKeptShare") + 0.2,
            $"pose kept: replace {Share(replace, "poseAndExpression.poseKeptShare"):P0}, blur {Share(blur, "poseAndExpression.poseKeptShare"):P0}");
        Assert.True(Share(replace, "poseAndExpression.eyesKeptShare") > Share(blur, "poseAndExpression.eyesKeptShare") + 0.3,
            $"eyes kept: replace {Share(replace, "poseAndExpression.eyesKeptShare"):P0}, blur {Share(blur, "poseAndExpression.eyesKeptShare"):P0}");
    }

    /// <summary>
    /// Replace says what it did with every face (a new face, or a blur and why); the other methods treat all faces
    /// alike. Here replace is the built-in transform (no donor folder): measured 18 of 27 faces replaced, the rest
    /// blurred (6 still recognized, 2 without an upright face, 1 too small).
    /// </summary>
    [Fact]
    public void Replace_accounts_for_every_face_it_was_given()
    {
        var replace = run.Method("replace");
        var outcomes = replace["outcomes"]!.ToDictionary(o => (string)o["outcome"]!, o => (int)o["faces"]!);
        Assert.Equal((int)replace["facesAnonymized"]!, outcomes.Values.Sum());
        Assert.True(outcomes["replaced"] >= 0.5 * outcomes.Values.Sum(), $"only {outcomes["replaced"]} of {outcomes.Values.Sum()} faces replaced");
        Assert.True(outcomes["blurred: still recognized"] < outcomes["replaced"]);
        Assert.Contains($"replace: of {outcomes.Values.Sum()} faces", run.Run.StandardOutput);
        Assert.Contains($"{outcomes["replaced"]} replaced", run.Run.StandardOutput);
        foreach (var name in PhotoEvaluationFixture.Methods.Where(m => m != "replace"))
            Assert.Equal(JTokenType.Null, run.Method(name)["outcomes"]!.Type);
    }

    /// <summary>
    /// Every confident face is listed with what became of it, so a reader can find the faces behind a share: the
    /// records add up to the method's shares, and replace names its outcome on each (the others, none).
    /// </summary>
    [Fact]
    public void The_faces_behind_the_shares_are_listed_one_by_one()
    {
        var confident = (int)run.Report["confidentFaces"]!;
        foreach (var name in PhotoEvaluationFixture.Methods)
        {
            var method = run.Method(name);
            var records = method["faceRecords"]!.ToList();
            Assert.Equal(confident, records.Count);
            Assert.Equal((double)method.SelectToken("poseAndExpression.poseKeptShare")!, (double)records.Count(r => (bool)r["poseKept"]!) / records.Count, 6);
            Assert.Equal((double)method.SelectToken("poseAndExpression.eyesKeptShare")!, (double)records.Count(r => (bool)r["eyesKept"]!) / records.Count, 6);
            Assert.Equal((double)method.SelectToken("poseAndExpression.mouthKeptShare")!, (double)records.Count(r => (bool)r["mouthKept"]!) / records.Count, 6);
            Assert.Equal((double)method.SelectToken("identity.meanDistance")!, records.Average(r => (double)r["distance"]!), 4);
            var judged = records.Where(r => r["stillFound"]!.Type != JTokenType.Null).ToList();
            Assert.Equal((int)method.SelectToken("naturalness.faces")!, judged.Count);
            Assert.Equal((double)method.SelectToken("naturalness.stillFoundShare")!, (double)judged.Count(r => (bool)r["stillFound"]!) / judged.Count, 6);
            Assert.All(records, r => Assert.False(string.IsNullOrEmpty((string?)r["label"])));
            // Each person's shares are their own records' shares, and every face belongs to one person.
            var people = method["byPerson"]!.ToList();
            Assert.Equal(confident, people.Sum(p => (int)p["faces"]!));
            Assert.Equal(records.Select(r => (string)r["identity"]!).Distinct().Count(), people.Count);
            foreach (var person in people)
            {
                var own = records.Where(r => (string)r["identity"]! == (string)person["identity"]!).ToList();
                Assert.Equal(own.Count, (int)person["faces"]!);
                Assert.Equal((double)person["poseKeptShare"]!, (double)own.Count(r => (bool)r["poseKept"]!) / own.Count, 6);
                Assert.Equal((double)person["eyesKeptShare"]!, (double)own.Count(r => (bool)r["eyesKept"]!) / own.Count, 6);
                Assert.Equal((double)person["withinThresholdShare"]!, (double)own.Count(r => (double)r["distance"]! <= 0.6) / own.Count, 6);
            }
            // The openings read on both are the ones the eyes were judged by (within 15 % of the source's), away from the
            // rounding of the readings at the tolerance's edge.
            foreach (var record in records)
            {
                var openings = record["openings"]!;
                double source = (double)openings["sourceEyes"]!, output = (double)openings["outputEyes"]!;
                var margin = Math.Abs(output - source) - 0.15 * source;
                if (Math.Abs(margin) > 1e-3) Assert.Equal(margin <= 0, (bool)record["eyesKept"]!);
            }
            if (name == "replace")
            {
                var outcomes = method["outcomes"]!.Select(o => (string)o["outcome"]!).ToHashSet();
                Assert.All(records, r => Assert.Contains((string)r["outcome"]!, outcomes));
            }
            else
            {
                Assert.All(records, r => Assert.Equal(JTokenType.Null, r["outcome"]!.Type));
            }
        }
    }

    [Fact]
    public void A_blurred_face_is_markedly_less_of_a_face_than_the_untouched_one()
    {
        var untouched = (double)run.Method("none").SelectToken("naturalness.stillFoundShare")!;
        var blurred = (double)run.Method("blur").SelectToken("naturalness.stillFoundShare")!;
        Assert.True(blurred < untouched - 0.5, $"blur {blurred:P0} against untouched {untouched:P0}");
    }

    [Fact]
    public void The_strip_shows_twelve_faces_for_the_original_and_each_method()
    {
        using var strip = Cv2.ImRead(run.StripPath);
        Assert.False(strip.Empty(), "no strip was written");
        Assert.Equal(EvaluationStrip.SizeFor(EvaluationStrip.MaxFaces, PhotoEvaluationFixture.Methods.Length), strip.Size());
        var html = File.ReadAllText(run.HtmlPath);
        Assert.Contains("data:image/png;base64,", html);
        foreach (var name in PhotoEvaluationFixture.Methods) Assert.Contains($"<td>{name}</td>", html);
        Assert.Contains("half a pixel apart", html);
        Assert.Contains("<h2>By person</h2>", html);
        var first = (string)run.Method("replace")["byPerson"]!.First()["identity"]!;
        Assert.Contains($"<td rowspan=\"{PhotoEvaluationFixture.Methods.Length}\">{System.Net.WebUtility.HtmlEncode(first)}</td>", html);
    }
}
