using System.Diagnostics;
using Deid.Effect.Analysis;
using Deid.Effect.Anonymization;
using Deid.Effect.Selection;
using Deid.Effect.Tests;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Video;
using Newtonsoft.Json.Linq;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Bridge;

/// <summary>
/// The OpenFX plugin, loaded by the C++ test host (tests/Bridge) and rendering the Hamilton clip through `deid serve`,
/// gives frame for frame the pixels `deid render` computes for the same clip with the equivalent selection — before
/// encoding, where "identical" can mean bit for bit. The plugin's analysis (made from frames the host fed it) and
/// `deid render`'s own analysis of the file are compared too.
/// </summary>
public sealed class BridgeEquivalenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-bridge-").FullName;

    private static string BuildDirectory =>
        Environment.GetEnvironmentVariable("DEID_BRIDGE_BUILD") is { Length: > 0 } configured ? configured
            : Path.Combine(SharedAssets.RepositoryRoot, "build", "bridge");

    private static string Launcher =>
        Environment.GetEnvironmentVariable("DEID_EXECUTABLE") is { Length: > 0 } configured ? configured
            : Path.Combine(SharedAssets.RepositoryRoot, "out", "deid", "deid");

    [Fact]
    public async Task Plugin_output_matches_the_engine_frame_for_frame()
    {
        var host = Path.Combine(BuildDirectory, "tests", "Bridge", "bridge_e2e");
        var bundle = Path.Combine(BuildDirectory, "Deid.ofx.bundle");
        Assert.True(File.Exists(host) && Directory.Exists(bundle) && File.Exists(Launcher),
            $"the OpenFX bundle, test host and published deid must be built first (scripts/test.sh does): {host}, {bundle}, {Launcher}");

        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--bundle", bundle, "--deid", Launcher, "--out", _directory }) start.ArgumentList.Add(argument);
        start.Environment["DEID_MODELS"] = SharedAssets.ModelsDirectory;
        start.Environment["DEID_MEDIA"] = SharedAssets.MediaDirectory;
        start.Environment["DEID_CACHE_DIR"] = Path.Combine(_directory, "cache");
        using (var run = Process.Start(start)!)
        {
            var log = run.StandardOutput.ReadToEndAsync();
            var errors = run.StandardError.ReadToEndAsync();
            Assert.True(run.WaitForExit(600_000), "the test host did not finish");
            var text = await log + "\n" + await errors;
            Assert.True(run.ExitCode == 0, $"the test host failed ({run.ExitCode}):\n{text}");
        }

        var meta = JObject.Parse(File.ReadAllText(Path.Combine(_directory, "bridge_output.json")));
        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, SharedAssets.HamiltonClip);
        var pluginAnalysisDocument = AnalysisFile.Read((string)meta["analysis"]!);
        var pluginAnalysis = AnalysisFile.ToAnalysis(pluginAnalysisDocument);
        var selection = SelectionDocument.Load(Path.Combine(_directory, (string)meta["selection"]!), source.Fps);
        var settings = meta["settings"]!;
        var anonymizer = new AnonymizerSettings
        {
            Method = Enum.Parse<AnonymizationMethod>((string)settings["method"]!, ignoreCase: true),
            Strength = (float)settings["strength"]!,
            Mask = new MaskOptions { Scale = (float)settings["maskScale"]!, Feather = (float)settings["feather"]! },
        };

        // deid render's own analysis of the file: the same people in the same places as the plugin's.
        using var models = new EngineModels(Effect.Inference.ExecutionDevice.Cpu, new Effect.Detection.DetectorOptions(), source, _ => { });
        {
            var (ownAnalysis, _) = AnalysisPass.Run(tools, source, models.Detector, models.Embedder, quiet: true, CancellationToken.None);
            Assert.Equal(ownAnalysis.Fingerprint, pluginAnalysis.Fingerprint);
            Assert.Equal(ownAnalysis.Identities.Select(i => (i.Id, i.FirstFrame, i.LastFrame)), pluginAnalysis.Identities.Select(i => (i.Id, i.FirstFrame, i.LastFrame)));
            for (var f = 0; f < ownAnalysis.FrameCount; f++)
                Assert.Equal(ownAnalysis.RegionsAt(f).Select(r => r.Box), pluginAnalysis.RegionsAt(f).Select(r => r.Box));
        }

        using var compositor = anonymizer.CreateCompositor();
        using var reader = new FrameReader(tools, source);
        using var frame = new Mat();
        using var original = new Mat();
        using var pluginFrame = new Mat(source.Height, source.Width, MatType.CV_8UC3);
        using var plugin = File.OpenRead(Path.Combine(_directory, (string)meta["file"]!));
        var judge = new Effect.Evaluation.IdentityLeakJudge(models.Embedder);
        var rgba = new byte[source.Width * source.Height * 4];
        int index = 0, differing = 0, facesHidden = 0, confident = 0, leaked = 0, untouched = 0;
        while (reader.Read(frame))
        {
            frame.CopyTo(original);
            var hidden = RenderJob.HiddenRegions(index, pluginAnalysis, selection, source.FrameDuration);
            facesHidden += RenderJob.Anonymize(frame, index, pluginAnalysis, selection, compositor, source.FrameDuration);
            plugin.ReadExactly(rgba);
            if (!SameColours(frame, rgba)) differing++;

            // The plugin's own output, judged like deid render's: every face that should be hidden is no longer recognizable.
            ToBgr(rgba, pluginFrame);
            var faces = models.Detector.Detect(original).Where(d => hidden.Any(r => Effect.Detection.NonMaxSuppression.IntersectionOverUnion(r.Box, d.Box) > 0.3f)).ToList();
            var verdicts = judge.Judge(original, pluginFrame, faces.Select(d => d.Landmarks).ToList());
            for (var i = 0; i < verdicts.Count; i++)
            {
                if (verdicts[i].Untouched) untouched++;
                if (faces[i].Score < 0.9f) continue;
                confident++;
                if (!verdicts[i].Leaked) continue;
                leaked++;
                output.WriteLine($"frame {index}: face at ({faces[i].Box.X:0},{faces[i].Box.Y:0}) score {faces[i].Score:0.00} distance {verdicts[i].Distance:0.000}, blurred reference {verdicts[i].ReferenceDistance:0.000}");
            }
            index++;
        }
        output.WriteLine($"{index} frames, {facesHidden} faces hidden by the engine, {differing} frames differ from the plugin's output; " +
            $"plugin output: {confident} confident faces to hide, {leaked} still recognizable, {untouched} untouched");
        Assert.Equal(275, index);
        Assert.Equal(plugin.Length, plugin.Position);
        Assert.True(facesHidden > 500);
        Assert.Equal(0, differing);
        Assert.Equal(0, untouched);
        Assert.True(confident > 50, $"only {confident} confident faces to hide");
        // The recognizer's own noise floor (see HamiltonRenderTests): a fully blurred clip scores 0.8% under this rule.
        // Here about 120 faces are judged, so 1% alone would be one face; two are allowed (measured: frames 85 and 151,
        // both covered, both scoring nearer than the blurred reference only by the recognizer's reliance on context).
        Assert.True(leaked <= Math.Max(2, confident / 100), $"{leaked} of {confident} faces the plugin hid are still recognizable");
    }

    private static unsafe void ToBgr(byte[] rgba, Mat bgr)
    {
        var rows = bgr.Rows;
        var columns = bgr.Cols;
        for (var y = 0; y < rows; y++)
        {
            var row = (byte*)bgr.Ptr(y);
            for (var x = 0; x < columns; x++)
            {
                var i = (y * columns + x) * 4;
                row[3 * x] = rgba[i + 2];
                row[3 * x + 1] = rgba[i + 1];
                row[3 * x + 2] = rgba[i];
            }
        }
    }

    private static unsafe bool SameColours(Mat bgr, byte[] rgba)
    {
        var rows = bgr.Rows;
        var columns = bgr.Cols;
        for (var y = 0; y < rows; y++)
        {
            var row = (byte*)bgr.Ptr(y);
            for (var x = 0; x < columns; x++)
            {
                var i = (y * columns + x) * 4;
                if (row[3 * x] != rgba[i + 2] || row[3 * x + 1] != rgba[i + 1] || row[3 * x + 2] != rgba[i]) return false;
            }
        }
        return true;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
