using Deid.Effect.Tests;
using Deid.PluginHost.Tests.Cli;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Evaluation;

/// <summary>`deid eval` on the first 90 frames of the Hamilton clip: flicker is measured, and reads 1 for the control.</summary>
public sealed class ClipEvaluationTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-eval-clip-").FullName;

    [Fact]
    public void Reports_a_flicker_ratio_per_method_on_the_first_ninety_frames()
    {
        var json = Path.Combine(_directory, "report.json");
        var run = DeidCli.Run(["eval", SharedAssets.HamiltonClip, "--methods", "none,shifted,blur,pixelate,solid,replace,replace-editor", "--seed", "3", "--max-frames", "90", "--json", json, "--quiet"]);
        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal(string.Empty, run.StandardError);
        var report = JObject.Parse(File.ReadAllText(json));
        Assert.Equal("clip", (string?)report["kind"]);
        Assert.Equal(90, (int)report["frames"]!);
        Assert.False((bool)report["encoded"]!);
        foreach (var method in report["methods"]!)
        {
            var flicker = method["flicker"]!;
            Assert.True((int)flicker["facePairs"]! > 50, $"{method["method"]}: too few face pairs");
            var ratio = (double)flicker["ratio"]!;
            Assert.True(ratio > 0 && double.IsFinite(ratio));
            Assert.True((double)method.SelectToken("speed.framesPerSecond")! > 0);
        }
        foreach (var method in report["methods"]!)
        {
            // Consecutive confident faces of one track, compared in the source and in the output.
            var steadiness = method["steadiness"]!;
            Assert.True((int)steadiness["facePairs"]! >= 10, $"{method["method"]}: too few consecutive faces");
            var records = method["faceRecords"]!.Where(r => r["outputChange"]!.Type != JTokenType.Null).ToList();
            Assert.Equal((int)steadiness["facePairs"]!, records.Count);
            Assert.All(records, r => Assert.NotEqual(JTokenType.Null, r["sourceChange"]!.Type));
        }
        var changed = report["methods"]!.ToDictionary(m => (string)m["method"]!, m => (double)m["steadiness"]!["changedPersonShare"]!);
        var untouchedSteadiness = report["methods"]!.Single(m => (string?)m["method"] == "none")["steadiness"]!;
        Assert.Equal((double)untouchedSteadiness["medianSourceChange"]!, (double)untouchedSteadiness["medianOutputChange"]!, 6);
        Assert.Equal(0, changed["none"]);
        // Half a pixel makes nobody someone else from one frame to the next.
        Assert.Equal(0, changed["shifted"]);
        Assert.All(report["methods"]!.Where(m => !((string)m["method"]!).StartsWith("replace", StringComparison.Ordinal)),
            m => Assert.Equal(JTokenType.Null, m["steadiness"]!["treatmentChanges"]!.Type));
        // Replace, in a file render and as the editor renders it (every frame on its own), gives no face a new face
        // within 0.6 of the person: the safety check blurs those (a blur can stay that near: the singer at frame 85).
        foreach (var name in new[] { "replace", "replace-editor" })
        {
            var method = report["methods"]!.Single(m => (string?)m["method"] == name);
            Assert.NotEqual(JTokenType.Null, method.SelectToken("steadiness.treatmentChanges")!.Type);
            Assert.All(method["faceRecords"]!.Where(f => (double)f["distance"]! <= 0.6),
                f => Assert.StartsWith("blurred", (string)f["outcome"]!, StringComparison.Ordinal));
        }
        // Replace's changes of treatment, counted again from its faces: its own new face, another of the person's, or a blur.
        var replaced = report["methods"]!.Single(m => (string?)m["method"] == "replace");
        var faces = replaced["faceRecords"]!.ToDictionary(r => ((int)r["frame"]!, (int)r["track"]!));
        static string Treatment(JToken face) => ((string)face["outcome"]!).StartsWith("blurred", StringComparison.Ordinal) ? "blurred" : (string)face["outcome"]!;
        var recounted = faces.Values.Count(f => f["sourceChange"]!.Type != JTokenType.Null
            && Treatment(faces[((int)f["frame"]! - 1, (int)f["track"]!)]) != Treatment(f));
        Assert.Equal(recounted, (int)replaced["steadiness"]!["treatmentChanges"]!);

        var ratios = report["methods"]!.ToDictionary(m => (string)m["method"]!, m => (double)m["flicker"]!["ratio"]!);
        Assert.Equal(1.0, ratios["none"], 6);
        // A flat fill cannot change from frame to frame inside the face, whatever the face does.
        Assert.True(ratios["solid"] < 0.5, $"solid flicker ratio {ratios["solid"]:F2}");
        // The new faces stay put: no more change from frame to frame inside the face than the source has.
        Assert.True(ratios["replace"] <= 1.0, $"replace flicker ratio {ratios["replace"]:F2}");

        // Half a pixel changes nobody and adds no flicker, yet on these small faces the landmarker already reads some
        // poses and openings differently: the floor no method can go below here.
        var shifted = (JObject)report["methods"]!.Single(m => (string?)m["method"] == "shifted");
        Assert.True((double)shifted.SelectToken("identity.withinThresholdShare")! >= 0.95, "half a pixel hid the person");
        Assert.InRange(ratios["shifted"], 0.8, 1.05);
        var posesKept = (double)shifted.SelectToken("poseAndExpression.poseKeptShare")!;
        Assert.InRange(posesKept, 0.8, 1.0);

        // Each face's repeatable reading is the shifted control's own verdict on it, so the control keeps every
        // measure wherever the reading repeats, and the counts are the control's kept faces.
        Assert.All(shifted["faceRecords"]!, face =>
        {
            Assert.Equal((bool)face["poseKept"]!, (bool)face.SelectToken("repeatable.pose")!);
            Assert.Equal((bool)face["eyesKept"]!, (bool)face.SelectToken("repeatable.eyes")!);
            Assert.Equal((bool)face["mouthKept"]!, (bool)face.SelectToken("repeatable.mouth")!);
        });
        var confident = shifted["faceRecords"]!.Count();
        Assert.Equal((int)Math.Round(posesKept * confident), (int)shifted.SelectToken("poseAndExpression.whereRepeatable.poseFaces")!);
        foreach (var name in new[] { "none", "shifted" })
        {
            var whereRepeatable = report["methods"]!.Single(m => (string?)m["method"] == name).SelectToken("poseAndExpression.whereRepeatable")!;
            foreach (var share in new[] { "poseKeptShare", "eyesKeptShare", "mouthKeptShare" }) Assert.Equal(1.0, (double)whereRepeatable[share]!);
        }
        // Replace's shares over the repeatable faces, counted again from its faces.
        var replaceFaces = replaced["faceRecords"]!.ToList();
        var repeatablePoses = replaceFaces.Where(f => (bool)f.SelectToken("repeatable.pose")!).ToList();
        Assert.Equal(repeatablePoses.Count(f => (bool)f["poseKept"]!) / (double)repeatablePoses.Count,
            (double)replaced.SelectToken("poseAndExpression.whereRepeatable.poseKeptShare")!, 6);
        Assert.Contains("half a pixel apart", run.StandardOutput);
    }

    /// <summary>
    /// The whole clip with new faces from donors (the shared photos): the issue's measures on video. Measured (seed 0,
    /// planned as `deid render` plans, each person with two other new faces, the second kept also where the first
    /// misses pose more, a track keeping the other new face it had to take): within 0.6 0%, still a face 96.2%, pose
    /// within 5 degrees 87.1%, eyes 79.6%, mouth 82.3%, flicker 0.79, 15 of 178 consecutive faces of a track treated
    /// otherwise than the frame before (seeds 0-6 medians 97.8 / 86.6 / 83.9 / 83.9%, 17 changes; switching back to
    /// the person's own new face wherever it passed: 90.3 / 81.2 / 84.4% and 40 changes at seed 0, medians
    /// 89.2 / 83.3 / 87.1%, 29 changes; with one other new face 96.2 / 87.1 / 83.3 / 85.5%,
    /// with none 94.6 / 83.9 / 79.6 / 78.5%). 7 faces are blurred: 4 frames of a 40 px face at the edge, where a blur
    /// is farther from the person than any new face, and 3 of the lead singer, hands at his chin, where neither is;
    /// 9 while a neighbour's check held faces a retry had cleared to the first try's wider margin. Before the landmarks were read from
    /// the frame as it came in and the small faces corrected as the frame shows them: still a face 81%, pose 60%, mouth
    /// 64%. No seed of 0-6 puts a face within 0.6. The naturalness target (95%) is reached at every seed of 0-6; the
    /// pose target (95%) is not reached on this clip of small, turned and occluded faces (where the shifted control
    /// itself reads 95% pose); the bounds keep what is reached from slipping.
    /// </summary>
    [Fact]
    public void Donor_faces_on_the_whole_clip_stay_faces_and_stay_steady()
    {
        var json = Path.Combine(_directory, "donors.json");
        var run = DeidCli.Run(["eval", SharedAssets.HamiltonClip, "--methods", "replace", "--donors", SharedAssets.Media("photos"), "--json", json, "--quiet"],
            timeoutSeconds: 900);
        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardError);
        var replace = (JObject)JObject.Parse(File.ReadAllText(json))["methods"]!.Single();
        double Measure(string path) => (double)replace.SelectToken(path)!;
        Assert.True(Measure("identity.withinThresholdShare") == 0, $"within 0.6: {Measure("identity.withinThresholdShare"):P1}");
        Assert.True(Measure("naturalness.stillFoundShare") >= 0.90, $"still a face: {Measure("naturalness.stillFoundShare"):P1}");
        Assert.True(Measure("poseAndExpression.poseKeptShare") >= 0.86, $"pose kept: {Measure("poseAndExpression.poseKeptShare"):P1}");
        Assert.True(Measure("poseAndExpression.eyesKeptShare") >= 0.76, $"eyes kept: {Measure("poseAndExpression.eyesKeptShare"):P1}");
        Assert.True(Measure("poseAndExpression.mouthKeptShare") >= 0.76, $"mouth kept: {Measure("poseAndExpression.mouthKeptShare"):P1}");
        Assert.True(Measure("flicker.ratio") <= 1.0, $"flicker ratio {Measure("flicker.ratio"):F2}");
        var blurred = replace["faceRecords"]!.Count(r => ((string?)r["outcome"])?.StartsWith("blurred", StringComparison.Ordinal) == true);
        Assert.True(blurred <= 7, $"{blurred} confident faces blurred rather than given a new face");
        // A person keeps one face: not their own new face on one frame and another of theirs on the next, back and forth.
        var changes = (int)replace.SelectToken("steadiness.treatmentChanges")!;
        Assert.True(changes <= 24, $"{changes} consecutive faces of a track got another new face or a blur than the frame before");
        // The lead singer, mostly large and in focus, keeps pose and openings better than the clip as a whole: its
        // misses are mostly the small, out-of-focus back-row face. The terminal says so person by person.
        var singer = replace["byPerson"]!.First();
        Assert.True((int)singer["faces"]! >= 100, $"the person with the most faces has {singer["faces"]}");
        foreach (var share in new[] { "poseKeptShare", "eyesKeptShare", "mouthKeptShare" })
        {
            var (person, clip) = ((double)singer[share]!, Measure($"poseAndExpression.{share}"));
            Assert.True(person >= 0.85 && person >= clip, $"{share} of the lead singer: {person:P1}, of the clip {clip:P1}");
        }
        Assert.Contains($"replace by person", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{(string)singer["identity"]!}, {(int)singer["faces"]!} faces", run.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// The whole clip with donors as the editor renders it, every frame on its own (seed 1). Here a neighbour's blur,
    /// decided on the second look at the frame, smeared the new face beside it after that face's check: it came out
    /// 0.551 from its person (frame 225, the back-row face), and the editor has no read-back to catch it. Every face
    /// a blur changes is now judged again.
    /// </summary>
    [Fact]
    public void As_the_editor_renders_it_no_face_is_left_with_a_new_face_near_its_person()
    {
        var json = Path.Combine(_directory, "editor.json");
        var run = DeidCli.Run(["eval", SharedAssets.HamiltonClip, "--methods", "replace-editor", "--donors", SharedAssets.Media("photos"), "--seed", "1", "--json", json, "--quiet"],
            timeoutSeconds: 900);
        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardError);
        var editor = (JObject)JObject.Parse(File.ReadAllText(json))["methods"]!.Single();
        Assert.Equal(0, (double)editor.SelectToken("identity.leakedShare")!);
        Assert.All(editor["faceRecords"]!.Where(f => (double)f["distance"]! <= 0.6),
            f => Assert.StartsWith("blurred", (string)f["outcome"]!, StringComparison.Ordinal));
    }

    /// <summary>
    /// `--encoded` judges what `deid render` writes: the frames go through x264 in order and come back before they are
    /// measured. The untouched control shows the round trip is real (the faces are no longer bit for bit the source's)
    /// and keeps each frame with its own faces (the person is still the person, in the same pose).
    /// </summary>
    [Fact]
    public void Judges_the_outputs_as_a_rendered_file_carries_them()
    {
        var json = Path.Combine(_directory, "encoded.json");
        var run = DeidCli.Run(["eval", SharedAssets.HamiltonClip, "--methods", "none,blur,replace", "--seed", "3", "--max-frames", "60", "--encoded", "--json", json, "--quiet"]);
        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardError);
        var report = JObject.Parse(File.ReadAllText(json));
        Assert.Equal(60, (int)report["frames"]!);
        Assert.True((bool)report["encoded"]!, "the report does not say it was judged after encoding");
        Assert.Contains("judged after x264 encoding", run.StandardOutput);
        var methods = report["methods"]!.ToDictionary(m => (string)m["method"]!, m => (JObject)m);
        var untouched = methods["none"];
        Assert.True((double)untouched.SelectToken("identity.meanDistance")! > 0.001, "the untouched frames came back bit for bit: nothing was encoded");
        Assert.True((double)untouched.SelectToken("identity.withinThresholdShare")! >= 0.95, "encoding alone hid the person: frames and faces out of step");
        Assert.True((double)untouched.SelectToken("poseAndExpression.poseKeptShare")! >= 0.8, "encoding alone turned the faces: frames out of step");
        var records = methods["replace"]["faceRecords"]!;
        Assert.Equal((int)report["confidentFaces"]!, records.Count());
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty((string?)r["outcome"]), "a face lost what replace did to it"));
        Assert.True((double)methods["blur"].SelectToken("naturalness.stillFoundShare")! < 0.5, "blurred faces came back as faces");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
