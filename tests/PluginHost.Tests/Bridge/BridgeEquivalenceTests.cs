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
        using (var models = new EngineModels(Effect.Inference.ExecutionDevice.Cpu, new Effect.Detection.DetectorOptions(), source, _ => { }))
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
        using var plugin = File.OpenRead(Path.Combine(_directory, (string)meta["file"]!));
        var rgba = new byte[source.Width * source.Height * 4];
        int index = 0, differing = 0, facesHidden = 0;
        while (reader.Read(frame))
        {
            facesHidden += RenderJob.Anonymize(frame, index, pluginAnalysis, selection, compositor, source.FrameDuration);
            plugin.ReadExactly(rgba);
            if (!SameColours(frame, rgba)) differing++;
            index++;
        }
        output.WriteLine($"{index} frames, {facesHidden} faces hidden by the engine, {differing} frames differ from the plugin's output");
        Assert.Equal(275, index);
        Assert.Equal(plugin.Length, plugin.Position);
        Assert.True(facesHidden > 500);
        Assert.Equal(0, differing);
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
