using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Deid.PluginHost.Video;

/// <summary>
/// Where the ffmpeg and ffprobe executables are, and how this project starts them. <see cref="Locate()"/> takes
/// $DEID_FFMPEG / $DEID_FFPROBE when set, otherwise searches PATH; a tool that is not there is a
/// <see cref="VideoException"/> naming the fix, raised before any work starts.
/// </summary>
public sealed partial class FfmpegTools
{
    public const string FfmpegVariable = "DEID_FFMPEG";
    public const string FfprobeVariable = "DEID_FFPROBE";

    private const string InstallHint = "install ffmpeg (e.g. apt-get install ffmpeg)";

    private readonly Lazy<int?> _majorVersion;

    /// <summary>Uses the given executables; each must exist.</summary>
    public FfmpegTools(string ffmpegPath, string ffprobePath)
    {
        FfmpegPath = RequireFile(ffmpegPath, "ffmpeg", "a constructor argument");
        FfprobePath = RequireFile(ffprobePath, "ffprobe", "a constructor argument");
        _majorVersion = new Lazy<int?>(ReadMajorVersion);
    }

    public string FfmpegPath { get; }

    public string FfprobePath { get; }

    /// <summary>
    /// The major version of ffmpeg, or null for builds whose banner carries no release number (git snapshots,
    /// which are newer than any release this code knows about).
    /// </summary>
    public int? FfmpegMajorVersion => _majorVersion.Value;

    /// <summary>
    /// ffmpeg 6 added the `-display_rotation` input option; 5.x only converts a `rotate` stream tag into a display
    /// matrix, and only when stream-copying (7.0 dropped that conversion).
    /// </summary>
    internal bool HasDisplayRotationOption => FfmpegMajorVersion is null or >= 6;

    public static FfmpegTools Locate() => Locate(Environment.GetEnvironmentVariable);

    /// <summary>Same as <see cref="Locate()"/>, reading variables through <paramref name="environment"/> (tests).</summary>
    internal static FfmpegTools Locate(Func<string, string?> environment)
    {
        var ffmpeg = Find("ffmpeg", FfmpegVariable, environment, besides: null);
        // A custom ffmpeg usually ships its ffprobe beside it; prefer that over an unrelated one on PATH.
        var ffprobe = Find("ffprobe", FfprobeVariable, environment, besides: environment(FfmpegVariable) is { Length: > 0 } ? ffmpeg : null);
        return new FfmpegTools(ffmpeg, ffprobe);
    }

    private static string Find(string tool, string variable, Func<string, string?> environment, string? besides)
    {
        if (environment(variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw new VideoException($"{tool} not found at {configured} (from {variable}); {InstallHint} or fix {variable}");
        }
        if (besides is not null && FindIn(Path.GetDirectoryName(besides)!, tool) is { } sibling) return sibling;
        foreach (var directory in (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (FindIn(directory.Trim('"'), tool) is { } found) return found;
        }
        throw new VideoException($"{tool} not found on PATH; {InstallHint} or set {variable}");
    }

    private static string? FindIn(string directory, string tool)
    {
        var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? tool + ".exe" : tool);
        return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
    }

    private static string RequireFile(string path, string tool, string origin) =>
        File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new VideoException($"{tool} not found at {path} (from {origin}); {InstallHint} or set {(tool == "ffmpeg" ? FfmpegVariable : FfprobeVariable)}");

    private int? ReadMajorVersion()
    {
        var (_, output, _) = Run(FfmpegPath, ["-hide_banner", "-version"]);
        var match = VersionPattern().Match(output);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^ffmpeg version n?(\d+)\.", RegexOptions.Multiline)]
    private static partial Regex VersionPattern();

    /// <summary>Runs a tool to completion and returns what it printed. Only for short runs with small output.</summary>
    internal (int ExitCode, string Output, string Error) Run(string executable, IReadOnlyList<string> arguments)
    {
        using var process = Start(executable, arguments, redirectInput: false, redirectOutput: true, errorTail: null);
        // Both pipes are drained concurrently: a tool blocked on a full stderr pipe would never finish stdout.
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    /// <summary>
    /// Starts a tool with stderr redirected. Given an <paramref name="errorTail"/>, stderr is read in the background
    /// into it, so a chatty tool never blocks on a full pipe; otherwise the caller must drain it.
    /// </summary>
    internal Process Start(string executable, IReadOnlyList<string> arguments, bool redirectInput, bool redirectOutput, ErrorTail? errorTail)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        if (errorTail is not null) process.ErrorDataReceived += (_, e) => errorTail.Add(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new VideoException($"cannot run {executable}: {e.Message}", e);
        }
        if (errorTail is not null) process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// The most useful line of an ffmpeg/ffprobe error log: the last (or <paramref name="first"/>) one that says
    /// something specific, with the "@ 0x55..." object address removed. ffmpeg ends a failed run with summaries such
    /// as "Conversion failed!" or "Error initializing output stream ..."; those are used only when nothing else was said.
    /// </summary>
    internal static string? MeaningfulLine(IEnumerable<string> lines, bool first = false)
    {
        string? specific = null;
        string? generic = null;
        foreach (var raw in lines)
        {
            var line = AddressPattern().Replace(raw.Trim(), "]");
            if (line.Length == 0) continue;
            if (IsGeneric(line))
            {
                generic = first ? generic ?? line : line;
                continue;
            }
            specific = line;
            if (first) break;
        }
        return specific ?? generic;
    }

    private static readonly string[] GenericPrefixes =
    [
        "Conversion failed", "Exiting normally", "Error while filtering", "Error marking filters as finished",
        "Error initializing output stream", "Error opening output files", "Error while opening encoder",
    ];

    private static bool IsGeneric(string line) =>
        GenericPrefixes.Any(prefix => line.StartsWith(prefix, StringComparison.Ordinal))
        || line.Contains("Error closing file", StringComparison.Ordinal) && line.Contains("Broken pipe", StringComparison.Ordinal);

    [GeneratedRegex(@" @ 0x[0-9a-fA-F]+\]")]
    private static partial Regex AddressPattern();

    /// <summary>The last few lines a running tool wrote to stderr; thread-safe, bounded.</summary>
    internal sealed class ErrorTail
    {
        private const int Capacity = 32;
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                if (_lines.Count == Capacity) _lines.Dequeue();
                _lines.Enqueue(line);
            }
        }

        public string[] Snapshot()
        {
            lock (_lines) return [.. _lines];
        }

        public string? LastMeaningfulLine() => MeaningfulLine(Snapshot());
    }
}
