using System.CommandLine;
using System.Text;
using Deid.Effect.Inference;
using Deid.PluginHost.Evaluation;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Cli;

/// <summary>
/// `deid eval INPUT`: how well each anonymization method hides people while keeping the footage usable, measured
/// on a clip or a folder of photos (see <see cref="Evaluator"/>). A table on standard output; JSON, HTML and a
/// picture of the faces when asked.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A video file, or a folder of photos (.jpg, .jpeg, .png)." };
        var methods = new Option<string>("--methods")
        {
            Description = $"Comma-separated methods to compare: {string.Join(", ", EvaluatedMethods.Names)} (controls: none leaves faces untouched; shifted moves the picture by half a pixel, so its pose and opening scores are the measures' own noise floor; replace-editor is replace as the editor renders it, every frame on its own).",
            DefaultValueFactory = _ => EvaluatedMethods.DefaultList,
        };
        var strength = new Option<float>("--strength", "-s")
        {
            Description = "0..1, as for `deid render`; every method is run at this strength.",
            DefaultValueFactory = _ => 1f,
        };
        var seed = new Option<int>("--seed") { Description = "Seed for methods that draw at random, so runs repeat.", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Write the full report as JSON." };
        var html = new Option<string?>("--html") { Description = "Write the report as one self-contained HTML page, with the faces." };
        var strip = new Option<string?>("--strip") { Description = "Write a PNG of up to 12 faces: the original on top, each method's output below." };
        var maxFrames = new Option<int?>("--max-frames") { Description = "Clips: evaluate only the first N frames." };
        var device = new Option<string>("--device")
        {
            Description = "Where inference runs: auto, cpu, cuda, directml.",
            DefaultValueFactory = _ => "auto",
        };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda", "directml");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bar; the table and errors only." };
        var encoded = new Option<bool>("--encoded")
        {
            Description = "Clips: judge each method's output as `deid render` first writes it (x264, frames in order), before its read-back hides more, rather than as the method leaves it.",
        };
        var donors = new Option<string?>("--donors") { Description = "For replace: a folder of donor portraits whose features make the new faces (see `deid render --donors`)." };

        var command = new Command("eval", "Measure how well each anonymization method de-identifies (recognizer distance) while keeping the footage usable (still a face, same pose and expression, no extra flicker), and how fast it is.")
        {
            input, methods, strength, seed, json, html, strip, maxFrames, device, quiet, donors, encoded,
        };
        command.SetAction((parse, commandCancel) =>
        {
            var cancel = ShutdownSignal.With(commandCancel);
            try
            {
                var path = parse.GetValue(input)!;
                var executionDevice = Enum.Parse<ExecutionDevice>(parse.GetValue(device)!, ignoreCase: true);
                var afterEncoding = parse.GetValue(encoded);
                var options = new MethodOptions(InRange(parse.GetValue(strength), 0, 1, "--strength"), parse.GetValue(seed), executionDevice, parse.GetValue(donors));
                var limit = parse.GetValue(maxFrames);
                if (limit is <= 0) throw new CliError($"--max-frames must be at least 1, got {limit}");
                var isQuiet = parse.GetValue(quiet);
                var (jsonPath, htmlPath, stripPath) = (parse.GetValue(json), parse.GetValue(html), parse.GetValue(strip));

                var evaluated = EvaluatedMethods.Create(parse.GetValue(methods)!, options);
                try
                {
                    var report = Evaluate(path, evaluated, options, limit, executionDevice, afterEncoding,
                        isQuiet, drawStrip: stripPath is not null || htmlPath is not null, cancel, out var stripPng);
                    EvaluationTable.Write(report, parse.InvocationConfiguration.Output);
                    Write(jsonPath, stream => stream.Write(Encoding.UTF8.GetBytes(EvaluationJson.ToJson(report))), isQuiet);
                    Write(htmlPath, stream => stream.Write(Encoding.UTF8.GetBytes(EvaluationHtml.Render(report, stripPng))), isQuiet);
                    if (stripPng is not null) Write(stripPath, stream => stream.Write(stripPng), isQuiet);
                }
                finally
                {
                    foreach (var method in evaluated) method.Dispose();
                }
                return Task.FromResult(0);
            }
            catch (Exception e)
            {
                return Task.FromResult(ErrorReporter.Report(e));
            }
        });
        return command;
    }

    private static EvaluationReport Evaluate(string path, IReadOnlyList<IEvaluatedMethod> methods, MethodOptions options, int? maxFrames,
        ExecutionDevice device, bool afterEncoding, bool quiet, bool drawStrip, CancellationToken cancel, out byte[]? stripPng)
    {
        var log = quiet ? (Action<string>)(_ => { }) : message => Console.Error.WriteLine(message);
        VideoInfo? clip = null;
        FfmpegTools? tools = null;
        if (Directory.Exists(path)) { }
        else if (File.Exists(path))
        {
            tools = FfmpegTools.Locate();
            clip = VideoProbe.Probe(tools, path);
        }
        else throw new CliError($"input not found: {path}");
        if (afterEncoding && clip is null) throw new CliError("--encoded needs a clip: photos are not encoded as video");
        // The encoder writes the frames as decoded and tags the rotation; read back, they would come out turned.
        if (afterEncoding && clip!.Rotation != 0) throw new CliError($"--encoded does not judge rotated clips yet ({path} is rotated by {clip.Rotation} degrees)");

        using var models = new EvaluationModels(device, clip?.Rotation ?? 0, log);
        using IEvaluationInput input = clip is null
            ? new PhotoFolderInput(path, models.Engine.Detector, quiet)
            : new ClipInput(tools!, clip, models.Engine, maxFrames, quiet, cancel);
        using var strip = drawStrip ? new EvaluationStrip(methods.Select(m => m.Name).ToList()) : null;
        var report = new Evaluator(models).Run(input, methods, strip, options, quiet, cancel, afterEncoding ? new EncodedRoundTrip(tools!, clip!) : null);
        stripPng = strip?.ToPng();
        return report;
    }

    private static void Write(string? path, Action<Stream> write, bool quiet)
    {
        if (path is null) return;
        IdentitiesCommand.WriteAtomically(path, write);
        if (!quiet) Console.Error.WriteLine($"wrote {path}");
    }

    private static float InRange(float value, float min, float max, string name) =>
        value >= min && value <= max ? value : throw new CliError($"{name} must be between {min} and {max}, got {value}");
}
