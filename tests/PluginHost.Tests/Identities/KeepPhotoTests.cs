using Deid.Effect.Detection;
using Deid.Effect.Evaluation;
using Deid.Effect.Identities;
using Deid.Effect.Inference;
using Deid.Effect.Recognition;
using Deid.Effect.Tests;
using Deid.PluginHost.Bench;
using Deid.PluginHost.Tests.Cli;
using Deid.PluginHost.Video;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Identities;

/// <summary>
/// `--keep-photo` on a clip built from the shared photos: three people move over a background; given a different
/// photo of one of them, that person stays as they were and the other two are hidden. The same clip also runs
/// through `deid analyze` and `deid render --analysis … --keep N`.
/// </summary>
public sealed class KeepPhotoTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-keep-").FullName;

    private static string Photo(string name) => SharedAssets.Media("photos", name);

    private string BuildClip()
    {
        var clip = Path.Combine(_directory, "three_people.mp4");
        new MovingPhotosClip(1280, 720, 25, 75).Write(FfmpegTools.Locate(),
        [
            new(Photo("obama.jpg"), 330, new(0.05f, 0.1f), new(0.2f, 0.2f)),
            new(Photo("biden.jpg"), 300, new(0.45f, 0.3f), new(0.4f, 0.1f)),
            new(Photo("train_rose_leslie_img1.jpg"), 280, new(0.75f, 0.5f), new(0.7f, 0.35f)),
        ], clip);
        return clip;
    }

    [Fact]
    public void Keep_photo_keeps_that_person_and_no_one_else()
    {
        var clip = BuildClip();
        var rendered = Path.Combine(_directory, "kept.mp4");
        var run = DeidCli.Run(["render", clip, "-o", rendered, "--keep-photo", Photo("obama2.jpg")]);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Contains("matches obama2.jpg", run.StandardError);
        AssertOnlyObamaIsVisible(clip, rendered);
    }

    [Fact]
    public void Analysis_file_and_keep_by_number_give_the_same_choice()
    {
        var clip = BuildClip();
        var analysis = Path.Combine(_directory, "clip.deid");
        var json = Path.Combine(_directory, "clip.json");
        var analyze = DeidCli.Run(["analyze", clip, "-o", analysis, "--json", json]);
        Assert.True(analyze.ExitCode == 0, analyze.StandardError);
        Assert.True(File.Exists(analysis) && File.Exists(json));

        var document = Deid.Effect.Analysis.AnalysisFile.Read(analysis);
        Assert.Equal(3, document.Identities.Count);
        // Which number is Obama: the identity nearest the other photo of him.
        using var models = new Models();
        using var photo = Cv2.ImRead(Photo("obama2.jpg"));
        var probe = new PhotoIdentityMatcher(models.Detector, models.Embedder).EmbedPhoto(photo, "obama2.jpg");
        var obama = document.Identities.MinBy(i => EmbeddingMath.MedianDistance(probe, i.Embeddings))!.Id;

        var rendered = Path.Combine(_directory, "kept-by-number.mp4");
        var redaction = Path.Combine(_directory, "kept-by-number.html");
        var run = DeidCli.Run(["render", clip, "-o", rendered, "--analysis", analysis, "--keep", obama.ToString(), "--report", redaction]);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Contains("using analysis", run.StandardError);
        Assert.DoesNotContain("changes of shot", run.StandardError);
        AssertOnlyObamaIsVisible(clip, rendered);

        // The report says the same: Obama's faces kept visible, everyone else's hidden, and nothing read back (blur).
        var numbers = Reports.RedactionReportTests.Embedded(File.ReadAllText(redaction));
        var rows = numbers["rows"]!.ToList();
        Assert.Equal(document.Identities.Select(i => (int?)i.Id).Order(), rows.Where(r => r["identity"]!.Type != Newtonsoft.Json.Linq.JTokenType.Null).Select(r => (int?)r["identity"]).Order());
        foreach (var row in rows)
        {
            var kept = row["identity"]!.Type != Newtonsoft.Json.Linq.JTokenType.Null && (int)row["identity"]! == obama;
            Assert.Equal(kept ? (int)row["faces"]! : 0, (int)row["counts"]!["visible"]!);
            Assert.Equal(kept ? 0 : (int)row["faces"]!, (int)row["counts"]!["hidden"]!);
        }
        Assert.Equal(0, (int)numbers["writings"]!);

        // The same analysis as a file from before cuts were found (no cut frames at all): rendered, with a warning.
        document.CutFrames = null;
        var old = Path.Combine(_directory, "old.deid");
        Deid.Effect.Analysis.AnalysisFile.Save(document, old);
        var fromOld = DeidCli.Run(["render", clip, "-o", Path.Combine(_directory, "kept-old.mp4"), "--analysis", old, "--keep", obama.ToString()]);
        Assert.True(fromOld.ExitCode == 0, fromOld.StandardError);
        Assert.Contains("made before deid found changes of shot", fromOld.StandardError);

        var other = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Path.Combine(_directory, "wrong.mp4"), "--analysis", analysis]);
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("deid: error:", other.StandardError);
    }

    private void AssertOnlyObamaIsVisible(string clip, string rendered)
    {
        using var models = new Models();
        var judge = new IdentityLeakJudge(models.Embedder);
        var references = new Dictionary<string, float[]>();
        foreach (var (person, file) in new[] { ("obama", "obama2.jpg"), ("biden", "train_biden_biden2.jpg"), ("rose", "train_rose_leslie_img2.jpg") })
        {
            using var image = Cv2.ImRead(Photo(file));
            references[person] = new PhotoIdentityMatcher(models.Detector, models.Embedder).EmbedPhoto(image, file);
        }

        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, clip);
        using var originalReader = new FrameReader(tools, source);
        using var renderedReader = new FrameReader(tools, VideoProbe.Probe(tools, rendered));
        using var original = new Mat();
        using var anonymized = new Mat();
        var counts = new Dictionary<string, int> { ["obama"] = 0, ["biden"] = 0, ["rose"] = 0 };
        var frame = 0;
        while (originalReader.Read(original))
        {
            Assert.True(renderedReader.Read(anonymized));
            var faces = models.Detector.Detect(original).Where(d => d.Score >= 0.9f).ToList();
            var verdicts = judge.Judge(original, anonymized, faces.Select(f => f.Landmarks).ToList());
            for (var i = 0; i < faces.Count; i++)
            {
                using var chip = new Mat();
                FaceAligner.Align(original, faces[i].Landmarks, chip);
                var embedding = models.Embedder.Embed([chip])[0];
                var person = references.MinBy(r => EmbeddingMath.Distance(embedding, r.Value)).Key;
                counts[person]++;
                if (person == "obama")
                    Assert.True(verdicts[i].Distance < 0.2f, $"frame {frame}: the kept person changed (distance {verdicts[i].Distance:0.000})");
                else
                    Assert.False(verdicts[i].Leaked, $"frame {frame}: {person} is still recognizable (distance {verdicts[i].Distance:0.000})");
            }
            frame++;
        }
        output.WriteLine($"{frame} frames; confident faces: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        Assert.All(counts.Values, count => Assert.True(count >= 60, $"each person should be seen in most of the 75 frames: {string.Join(", ", counts)}"));
    }

    private sealed class Models : IDisposable
    {
        public Models()
        {
            var sessions = new InferenceSessionFactory(ExecutionDevice.Cpu);
            var locator = SharedAssets.Models();
            Detector = new YuNetDetector(sessions, locator);
            Embedder = new ResNetFaceEmbedder(sessions, locator);
        }

        public YuNetDetector Detector { get; }

        public ResNetFaceEmbedder Embedder { get; }

        public void Dispose()
        {
            Detector.Dispose();
            Embedder.Dispose();
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
