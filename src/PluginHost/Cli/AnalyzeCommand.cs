using System.CommandLine;
using Deid.Effect.Analysis;
using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Cli;

/// <summary>`deid analyze IN -o clip.deid`: detect, track and group the faces of a clip once, for rendering and choosing later.</summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The video to analyse." };
        var output = new Option<string>("--output", "-o") { Description = "The analysis file to write (MessagePack, usually *.deid).", Required = true };
        var json = new Option<string>("--json") { Description = "Also write the faces per frame per identity as JSON, for people and tools downstream." };
        var threshold = new Option<float>("--threshold", "-t")
        {
            Description = "Detection confidence 0..1 (see `deid render --help`).",
            DefaultValueFactory = _ => new DetectorOptions().ScoreThreshold,
        };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or directml.", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda", "directml");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bar or summary; errors only." };
        var command = new Command("analyze", "Find, track and group the faces of a video into identities, and save the result for `deid identities` and `deid render --analysis`.")
        {
            input, output, json, threshold, device, quiet,
        };
        command.SetAction((parse, commandCancel) =>
        {
            var cancel = ShutdownSignal.With(commandCancel);
            try
            {
                var value = parse.GetValue(threshold);
                if (value is < 0.05f or > 0.99f) throw new CliError($"--threshold must be between 0.05 and 0.99, got {value}");
                var quietValue = parse.GetValue(quiet);
                Action<string> log = quietValue ? _ => { } : message => Console.Error.WriteLine(message);
                var tools = FfmpegTools.Locate();
                var source = VideoProbe.Probe(tools, parse.GetValue(input)!);
                var target = parse.GetValue(output)!;
                // Checked before the long pass: an unwritable target fails now, not after minutes of work.
                using (new AtomicOutput(target, source.Path)) { }

                var detectorOptions = new DetectorOptions { ScoreThreshold = value };
                using var models = new EngineModels(Enum.Parse<ExecutionDevice>(parse.GetValue(device)!, true), detectorOptions, source, log);
                var (analysis, samples) = AnalysisPass.Run(tools, source, models.Detector, models.Embedder, quietValue, cancel);
                var document = AnalysisFile.ToDocument(analysis, samples, source.FrameRate, models.ModelVersions, value, Path.GetFileName(source.Path));
                AnalysisFile.Save(document, target);
                if (parse.GetValue(json) is { } jsonPath)
                {
                    using var writer = new StreamWriter(jsonPath);
                    Reports.AnalysisJson.Write(document, writer);
                }
                log($"wrote {target}: {analysis.FrameCount} frames, {analysis.Tracks.Count} face tracks, {analysis.Identities.Count} identities");
                return Task.FromResult(0);
            }
            catch (Exception e)
            {
                return Task.FromResult(ErrorReporter.Report(e));
            }
        });
        return command;
    }
}
