using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Cli;

/// <summary>
/// `deid cache stats|clear`: what the render cache holds (frames against their budget, saved analyses, per clip) and
/// a way to empty it. The folder comes from the environment (<see cref="CacheSettings.FromEnvironment"/>) unless
/// --dir names one; neither subcommand needs the folder to exist.
/// </summary>
public static class CacheCommand
{
    public static Command Create()
    {
        var command = new Command("cache", "Show or clear the cache of rendered frames and saved analyses that `deid serve` keeps.");
        command.Subcommands.Add(CreateStats());
        command.Subcommands.Add(CreateClear());
        return command;
    }

    private static Option<string?> DirectoryOption() => new("--dir")
    {
        Description = "Cache folder (default: $DEID_CACHE_DIR, else $XDG_CACHE_HOME/deid, else ~/.cache/deid; %LOCALAPPDATA%\\deid\\cache on Windows).",
    };

    private static Command CreateStats()
    {
        var directory = DirectoryOption();
        var json = new Option<bool>("--json") { Description = "Print JSON, for scripts." };
        var command = new Command("stats", "Frames and bytes against the budget, saved analyses, and frames per clip.") { directory, json };
        command.SetAction(parse =>
        {
            try
            {
                var stats = CacheFolder.Inspect(Settings(parse.GetValue(directory)));
                if (parse.GetValue(json)) WriteJson(stats);
                else WriteText(stats);
                return 0;
            }
            catch (Exception e)
            {
                return ErrorReporter.Report(e);
            }
        });
        return command;
    }

    private static Command CreateClear()
    {
        var directory = DirectoryOption();
        var framesOnly = new Option<bool>("--frames-only") { Description = "Remove the rendered frames, keep the saved analyses." };
        var command = new Command("clear", "Remove the cached frames and saved analyses.") { directory, framesOnly };
        command.SetAction(parse =>
        {
            try
            {
                var cleared = CacheFolder.Clear(Settings(parse.GetValue(directory)), parse.GetValue(framesOnly));
                Console.WriteLine($"cache folder: {cleared.Directory}");
                Console.WriteLine($"removed {cleared.Frames.Count} frames ({Size(cleared.Frames.Bytes)})" +
                    (parse.GetValue(framesOnly) ? ", kept the saved analyses" : $" and {cleared.Analyses.Count} saved analyses ({Size(cleared.Analyses.Bytes)})"));
                return 0;
            }
            catch (Exception e)
            {
                return ErrorReporter.Report(e);
            }
        });
        return command;
    }

    private static CacheSettings Settings(string? directory)
    {
        var settings = CacheSettings.FromEnvironment();
        return directory is { Length: > 0 } ? settings with { Directory = directory } : settings;
    }

    private static void WriteText(CacheFolderStats stats)
    {
        var frames = stats.Frames;
        Console.WriteLine($"cache folder: {stats.Directory}{(Directory.Exists(stats.Directory) ? "" : " (not created yet)")}");
        Console.WriteLine($"frames: {frames.Entries} entries, {Size(frames.Bytes)} of {Size(frames.BudgetBytes)} budget");
        Console.WriteLine($"saved analyses: {stats.Analyses}, {Size(stats.AnalysisBytes)}");
        if (frames.PerFingerprint.Count == 0) return;
        Console.WriteLine("frames per clip fingerprint:");
        foreach (var (fingerprint, usage) in frames.PerFingerprint.OrderByDescending(p => p.Value.Bytes))
            Console.WriteLine($"  {fingerprint}  {usage.Entries} frames  {Size(usage.Bytes)}");
    }

    private static void WriteJson(CacheFolderStats stats)
    {
        using var output = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("directory", stats.Directory);
            writer.WriteStartObject("frames");
            writer.WriteNumber("entries", stats.Frames.Entries);
            writer.WriteNumber("bytes", stats.Frames.Bytes);
            writer.WriteNumber("budgetBytes", stats.Frames.BudgetBytes);
            writer.WriteEndObject();
            writer.WriteStartObject("analyses");
            writer.WriteNumber("count", stats.Analyses);
            writer.WriteNumber("bytes", stats.AnalysisBytes);
            writer.WriteEndObject();
            writer.WriteStartArray("clips");
            foreach (var (fingerprint, usage) in stats.Frames.PerFingerprint.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("fingerprint", fingerprint);
                writer.WriteNumber("entries", usage.Entries);
                writer.WriteNumber("bytes", usage.Bytes);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        output.WriteByte((byte)'\n');
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => $"{bytes} bytes",
    };
}
