using System.CommandLine;
using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Cli;

/// <summary>`deid render IN -o OUT`: analyse the whole clip, then write it again with every face anonymized.</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The video to de-identify (any format ffmpeg reads)." };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the result. Written to a temporary file first and renamed on success, so an interrupted render never leaves a file that looks complete.",
            Required = true,
        };
        var method = new Option<string>("--method", "-m")
        {
            Description = "How faces are hidden: blur, pixelate, solid, or replace (a new face that belongs to nobody, keeping pose, expression and lighting).",
            DefaultValueFactory = _ => "blur",
        };
        method.AcceptOnlyFromAmong("blur", "pixelate", "solid", "replace");
        var seed = new Option<int>("--seed")
        {
            Description = "For --method replace: picks the new faces. The same seed gives every person the same new face again; change it for other faces.",
            DefaultValueFactory = _ => 0,
        };
        var generator = new Option<string>("--generator")
        {
            Description = "For --method replace: a learned face generator (ONNX, see docs/GENERATOR.md) to use instead of the built-in transform.",
        };
        var donors = new Option<string>("--donors")
        {
            Description = "For --method replace: a folder of donor portraits (people who agreed to lend their features, or generated faces). New faces are then blends of two donors' features on each face's own pose, expression and light. Default: $DEID_DONORS, else the built-in transform.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DEID_DONORS") is { Length: > 0 } folder ? folder : null!,
        };
        var strength = new Option<float>("--strength", "-s")
        {
            Description = "0..1. Blur radius, mosaic coarseness, or solid opacity. 1 (the default) defeats a face recognizer; lower values keep more of the face and may not.",
            DefaultValueFactory = _ => 1f,
        };
        var maskScale = new Option<float>("--mask-scale")
        {
            Description = "Size of the face mask, 0.5..3. 1 covers forehead to chin and ear to ear; raise it to hide hair and neck.",
            DefaultValueFactory = _ => 1f,
        };
        var feather = new Option<float>("--feather")
        {
            Description = "Soft edge outside the mask, as a fraction of its radius, 0..1. The mask's inside is always fully covered.",
            DefaultValueFactory = _ => new MaskOptions().Feather,
        };
        var color = new Option<string>("--color")
        {
            Description = "Fill colour for --method solid, as #rrggbb.",
            DefaultValueFactory = _ => "#808080",
        };
        var threshold = new Option<float>("--threshold", "-t")
        {
            Description = "Detection confidence 0..1. Lower finds more faces (and more false ones, which are covered too); higher risks missing faces.",
            DefaultValueFactory = _ => new DetectorOptions().ScoreThreshold,
        };
        var device = new Option<string>("--device")
        {
            Description = "Where inference runs: auto (GPU when available: DirectML on Windows, CUDA on Linux; else CPU), cpu, cuda, directml. A provider that cannot load falls back to the CPU with a warning.",
            DefaultValueFactory = _ => "auto",
        };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda", "directml");
        var preset = new Option<string>("--preset")
        {
            Description = "x264 speed/size trade-off (ultrafast .. veryslow).",
            DefaultValueFactory = _ => new EncodeSettings().Preset,
        };
        preset.AcceptOnlyFromAmong("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow");
        var crf = new Option<int>("--crf")
        {
            Description = "x264 constant quality, 0..51; lower is better. 18 is visually lossless for most footage.",
            DefaultValueFactory = _ => new EncodeSettings().Crf,
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bar or summary; errors only." };
        var analysis = new Option<string>("--analysis", "-a")
        {
            Description = "Use a saved analysis (from `deid analyze`) instead of analysing again. It must belong to this clip; that is checked frame by frame.",
        };
        var selection = new Option<string>("--selection")
        {
            Description = "Selection document (JSON, see README): the default policy and, per identity, keyframes of who is anonymized when.",
        };
        var keep = new Option<string>("--keep")
        {
            Description = "Identities to keep visible for the whole clip, e.g. 2,5 (numbers from `deid identities`). Everyone else is anonymized.",
        };
        var keepPhoto = new Option<string[]>("--keep-photo")
        {
            Description = "A photo of a person to keep visible (repeatable): every identity that matches the face in the photo is kept.",
        };

        var checkOutput = new Option<bool>("--check")
        {
            Description = "Read the rendered file back and hide more every hidden face it still shows within the recognizer's match distance of its person (a wider blur, then a fill), writing the clip again until none is left. On by default with --method replace.",
        };
        var noCheck = new Option<bool>("--no-check")
        {
            Description = "Write the rendered file without reading it back (see --check).",
        };
        var report = new Option<string>("--report")
        {
            Description = "Write a redaction report (HTML): per person, what the written file shows at each of their faces (kept visible, hidden, a new face, blurred, hidden more by the read-back), a timeline over the clip, and faces cropped from the written file.",
        };
        var maxWritings = new Option<int>("--max-writings")
        {
            Description = "With the read-back (--check): how many times the clip may be written before the render gives up and writes nothing. Each writing after the first costs a decode, an encode and a read-back.",
            DefaultValueFactory = _ => ReadBack.DefaultMaxWritings,
        };

        var command = new Command("render", "De-identify a video: detect and track every face over the whole clip, then write the clip again with the faces anonymized. Audio, frame rate, frame count, duration, rotation and size are kept.")
        {
            input, output, method, seed, generator, donors, strength, maskScale, feather, color, threshold, device, preset, crf, quiet, analysis, selection, keep, keepPhoto, checkOutput, noCheck, maxWritings, report,
        };
        command.SetAction((parse, commandCancel) =>
        {
            var cancel = ShutdownSignal.With(commandCancel);
            try
            {
                var request = BuildRequest(parse);
                var result = RenderJob.Run(request, cancel);
                if (!request.Quiet)
                {
                    Console.Error.WriteLine($"wrote {result.OutputPath}: {result.Frames} frames, {result.Tracks} face tracks, {result.Identities} identities, " +
                        $"{result.FacesCovered} faces covered in {result.Total.TotalSeconds:0.0} s" +
                        (result.Check.Checked ? $"; read back: {result.Check.Escalated} faces hidden more, in {result.Check.Passes} rendering(s)" : ""));
                }
                return Task.FromResult(0);
            }
            catch (Exception e)
            {
                return Task.FromResult(ErrorReporter.Report(e));
            }
        });
        return command;

        RenderRequest BuildRequest(ParseResult parse)
        {
            // Checked before the clip is analysed, so a typo costs no analysis pass; the folder's faces are checked when loaded.
            if (parse.GetValue(donors) is { } donorFolder && !Directory.Exists(donorFolder))
                throw new CliError($"donor folder {donorFolder} does not exist");
            if (parse.GetValue(checkOutput) && parse.GetValue(noCheck)) throw new CliError("--check and --no-check cannot be given together");
            // Checked before the render: a report that cannot be written should not cost one.
            if (parse.GetValue(report) is { } reportPath && Path.GetDirectoryName(Path.GetFullPath(reportPath)) is { } reportFolder && !Directory.Exists(reportFolder))
                throw new CliError($"--report: folder {reportFolder} does not exist");
            return new RenderRequest(parse.GetValue(input)!, parse.GetValue(output)!)
            {
                CheckOutput = parse.GetValue(checkOutput) ? true : parse.GetValue(noCheck) ? false : null,
                ReportPath = parse.GetValue(report),
                MaxWritings = (int)InRange(parse.GetValue(maxWritings), 1, 1000, "--max-writings"),
                Anonymizer = new AnonymizerSettings
                {
                    Method = Enum.Parse<AnonymizationMethod>(parse.GetValue(method)!, ignoreCase: true),
                    Strength = InRange(parse.GetValue(strength), 0, 1, "--strength"),
                    SolidColor = ParseColor(parse.GetValue(color)!),
                    Replacement = new ReplacementOptions { Seed = parse.GetValue(seed), GeneratorPath = parse.GetValue(generator), DonorFolder = parse.GetValue(donors) },
                    Mask = new MaskOptions
                    {
                        Scale = InRange(parse.GetValue(maskScale), 0.5f, 3f, "--mask-scale"),
                        Feather = InRange(parse.GetValue(feather), 0, 1, "--feather"),
                    },
                },
                Detector = new DetectorOptions { ScoreThreshold = InRange(parse.GetValue(threshold), 0.05f, 0.99f, "--threshold") },
                Device = Enum.Parse<ExecutionDevice>(parse.GetValue(device)!, ignoreCase: true),
                Encode = new EncodeSettings { Preset = parse.GetValue(preset)!, Crf = (int)InRange(parse.GetValue(crf), 0, 51, "--crf") },
                Quiet = parse.GetValue(quiet),
                AnalysisPath = parse.GetValue(analysis),
                SelectionPath = parse.GetValue(selection),
                Keep = ParseIdentities(parse.GetValue(keep)),
                KeepPhotos = parse.GetValue(keepPhoto) ?? [],
            };
        }
    }


    private static IReadOnlyList<int> ParseIdentities(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => int.TryParse(part, out var id) && id > 0 ? id : throw new CliError($"--keep: '{part}' is not an identity number"))
            .ToList();
    }

    private static float InRange(float value, float min, float max, string name) =>
        value >= min && value <= max ? value : throw new CliError($"{name} must be between {min} and {max}, got {value}");

    private static OpenCvSharp.Scalar ParseColor(string text)
    {
        try { return AnonymizerSettings.ParseColor(text); }
        catch (FormatException e) { throw new CliError($"--color: {e.Message}"); }
    }
}
