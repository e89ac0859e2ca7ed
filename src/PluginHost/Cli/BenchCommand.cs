using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Inference;
using Deid.PluginHost.Bench;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Cli;

/// <summary>
/// `deid bench`: frames per second of `deid render` next to plain ffmpeg decoding and re-encoding the same file with
/// the same encoder settings, measured alternately in one run; medians, because shared machines are noisy.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var clips = new Option<string[]>("--clip") { Description = "Clip to measure (repeatable). Default: the shared Hamilton clip and a generated 1080p clip.", AllowMultipleArgumentsPerToken = true };
        var runs = new Option<int>("--runs") { Description = "Runs per clip and contender; the median is reported.", DefaultValueFactory = _ => 3 };
        var seconds = new Option<int>("--seconds") { Description = "Length of the generated 1080p clip.", DefaultValueFactory = _ => 10 };
        var method = new Option<string>("--method")
        {
            Description = "Anonymization method to render with; replace renders as `deid render --method replace` does, its read-back included.",
            DefaultValueFactory = _ => "blur",
        };
        method.AcceptOnlyFromAmong("blur", "pixelate", "solid", "replace");
        var donors = new Option<string?>("--donors")
        {
            Description = "For --method replace: the donor portraits, as for `deid render --donors`. Default: $DEID_DONORS, else the built-in transform.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DEID_DONORS") is { Length: > 0 } folder ? folder : null,
        };
        var seed = new Option<int>("--seed") { Description = "For --method replace: which new faces, as for `deid render --seed`.", DefaultValueFactory = _ => 0 };
        var work = new Option<string>("--work-dir") { Description = "Where clips and outputs are written (default: a temporary folder, removed afterwards)." };
        var command = new Command("bench", "Measure render speed against plain ffmpeg decode+encode of the same files.") { clips, runs, seconds, method, donors, seed, work };
        command.SetAction(parse =>
        {
            try
            {
                if (parse.GetValue(runs) < 1) throw new CliError("--runs must be at least 1");
                var anonymizer = new AnonymizerSettings
                {
                    Method = Enum.Parse<AnonymizationMethod>(parse.GetValue(method)!, ignoreCase: true),
                    Replacement = new ReplacementOptions { Seed = parse.GetValue(seed), DonorFolder = parse.GetValue(donors) },
                };
                if (anonymizer.Replacement.DonorFolder is { } folder && !Directory.Exists(folder)) throw new CliError($"donor folder {folder} does not exist");
                return Run(parse.GetValue(clips) ?? [], parse.GetValue(runs), parse.GetValue(seconds), anonymizer, parse.GetValue(work));
            }
            catch (Exception e)
            {
                return ErrorReporter.Report(e);
            }
        });
        command.Subcommands.Add(CreateCacheBenchmark());
        return command;
    }

    /// <summary>`deid bench cache`: milliseconds per frame for each cache tier and its parts.</summary>
    private static Command CreateCacheBenchmark()
    {
        var clip = new Option<string?>("--clip") { Description = "Clip whose frame is cached (default: the shared Hamilton clip)." };
        var runs = new Option<int>("--runs") { Description = "Runs per step; the median is reported.", DefaultValueFactory = _ => 25 };
        var work = new Option<string>("--work-dir") { Description = "Cache folder to measure in (default: a temporary folder, removed afterwards)." };
        var command = new Command("cache", "Measure a memory hit, a disk hit and a disk write of a 1080p RGBA 8-bit frame.") { clip, runs, work };
        command.SetAction(parse =>
        {
            var workDirectory = parse.GetValue(work);
            var directory = workDirectory ?? Path.Combine(Path.GetTempPath(), $"deid-bench-cache-{Environment.ProcessId}");
            try
            {
                if (parse.GetValue(runs) < 1) throw new CliError("--runs must be at least 1");
                var source = parse.GetValue(clip) ?? Path.Combine(MediaDirectory(), "video", "short_hamilton_clip.mp4");
                if (!File.Exists(source)) throw new CliError($"clip not found: {source}; pass --clip");
                CacheBenchmark.Run(FfmpegTools.Locate(), source, parse.GetValue(runs), directory, Console.Out);
                return 0;
            }
            catch (Exception e)
            {
                return ErrorReporter.Report(e);
            }
            finally
            {
                if (workDirectory is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            }
        });
        return command;
    }

    private static string MediaDirectory() =>
        Environment.GetEnvironmentVariable("DEID_MEDIA") is { Length: > 0 } configured ? configured
            : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "shared", "media");

    private static int Run(string[] clips, int runs, int seconds, AnonymizerSettings anonymizer, string? workDirectory)
    {
        var tools = FfmpegTools.Locate();
        var directory = workDirectory ?? Path.Combine(Path.GetTempPath(), $"deid-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        try
        {
            var targets = clips.Length > 0 ? clips.ToList() : DefaultClips(tools, directory, seconds);
            var encode = new EncodeSettings();
            // Replace reads its file back and may write it again: how many writings a render took says where its time went.
            var replace = anonymizer.Method == AnonymizationMethod.Replace;
            var newFaces = !replace ? "" : anonymizer.Replacement.DonorFolder is { } folder ? $", donors {Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))}, seed {anonymizer.Replacement.Seed}" : $", built-in transform, seed {anonymizer.Replacement.Seed}";
            Console.WriteLine($"deid bench: {Environment.ProcessorCount} cores, {runs} runs each, x264 preset {encode.Preset} crf {encode.Crf}, method {anonymizer.Method.ToString().ToLowerInvariant()}{newFaces}");
            Console.WriteLine();
            Console.WriteLine($"| clip | frames | ffmpeg decode+encode | deid render | of which analysis | of which identities |{(replace ? " writings |" : "")} ratio | deid fps |");
            Console.WriteLine($"|---|---|---|---|---|---|{(replace ? "---|" : "")}---|---|");
            foreach (var clip in targets)
            {
                var info = VideoProbe.Probe(tools, clip);
                var plain = new List<double>();
                var deid = new List<double>();
                var analysis = new List<double>();
                var identities = new List<double>();
                var writings = new List<double>();
                var frames = 0;
                for (var run = 0; run < runs; run++)
                {
                    plain.Add(TimePlainFfmpeg(tools, info, Path.Combine(directory, "plain" + Path.GetExtension(clip))));
                    var result = RenderJob.Run(new RenderRequest(clip, Path.Combine(directory, "deid" + Path.GetExtension(clip)))
                    {
                        Anonymizer = anonymizer,
                        Device = ExecutionDevice.Cpu,
                        Quiet = true,
                    }, CancellationToken.None);
                    deid.Add(result.Total.TotalSeconds);
                    analysis.Add(result.AnalysisTime.TotalSeconds);
                    identities.Add(result.IdentityTime.TotalSeconds);
                    writings.Add(Math.Max(1, result.Check.Passes));
                    frames = result.Frames;
                }
                var plainMedian = Median(plain);
                var deidMedian = Median(deid);
                var writingsCell = replace ? string.Create(CultureInfo.InvariantCulture, $" {Median(writings):0.#} |") : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileName(clip)} ({info.Width}x{info.Height}) | {frames} | {plainMedian:0.00} s ({frames / plainMedian:0.0} fps) | " +
                    $"{deidMedian:0.00} s | {Median(analysis):0.00} s | {Median(identities):0.00} s |{writingsCell} {deidMedian / plainMedian:0.00}x | {frames / deidMedian:0.0} |"));
            }
            return 0;
        }
        finally
        {
            if (workDirectory is null) Directory.Delete(directory, recursive: true);
        }
    }

    private static List<string> DefaultClips(FfmpegTools tools, string directory, int seconds)
    {
        var media = MediaDirectory();
        var hamilton = Path.Combine(media, "video", "short_hamilton_clip.mp4");
        var photos = Path.Combine(media, "photos");
        if (!File.Exists(hamilton) || !Directory.Exists(photos))
            throw new CliError($"test media not found under {Path.GetFullPath(media)}; set DEID_MEDIA or pass --clip");
        var generated = Path.Combine(directory, "moving_photos_1080p.mp4");
        Console.Error.WriteLine($"generating {seconds} s 1080p clip ...");
        new MovingPhotosClip(1920, 1080, 30, seconds * 30).Write(tools, MovingPhotosClip.DefaultCast(photos), generated);
        return [hamilton, generated];
    }

    private static double TimePlainFfmpeg(FfmpegTools tools, VideoInfo source, string output)
    {
        var encode = new EncodeSettings().For(source);
        var start = new ProcessStartInfo(tools.FfmpegPath) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-nostdin", "-v", "error", "-y", "-i", source.Path, "-map", "0:v:0", "-map", "0:a?",
            "-c:v", encode.Codec, "-preset", encode.Preset, "-crf", encode.Crf.ToString(), "-pix_fmt", encode.PixelFormatFor(source),
            "-c:a", "copy", output,
        })
        {
            start.ArgumentList.Add(argument);
        }
        var clock = Stopwatch.StartNew();
        using var ffmpeg = Process.Start(start) ?? throw new VideoException("cannot start ffmpeg");
        var errors = ffmpeg.StandardError.ReadToEnd();
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new VideoException($"plain ffmpeg failed: {errors.Trim()}");
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
