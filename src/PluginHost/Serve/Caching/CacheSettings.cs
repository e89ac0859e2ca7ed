namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// Where the cache lives and how much it may hold. <see cref="Directory"/> holds <c>frames/</c> (rendered frames,
/// <see cref="DiskFrameStore"/>) and <c>analyses/</c> (the server's saved analyses, <c>&lt;fingerprint&gt;.deid</c>).
/// A budget of 0 turns that tier off.
/// </summary>
public sealed record CacheSettings
{
    public const long DefaultMemoryBudgetMegabytes = 1024;
    public const long DefaultDiskBudgetMegabytes = 8192;
    public const string DirectoryVariable = "DEID_CACHE_DIR";
    public const string MemoryBudgetVariable = "DEID_FRAME_CACHE_MB";
    public const string DiskBudgetVariable = "DEID_DISK_CACHE_MB";

    // Large enough for any disk, small enough that megabytes << 20 cannot overflow a long.
    private const long MaxMegabytes = 1L << 40;

    public CacheSettings(string directory, long memoryBudgetBytes, long diskBudgetBytes)
    {
        Directory = directory;
        MemoryBudgetBytes = memoryBudgetBytes;
        DiskBudgetBytes = diskBudgetBytes;
    }

    /// <summary>The cache folder, always a full path (a relative one is taken from the current folder).</summary>
    public string Directory
    {
        get;
        init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("the cache folder must be named", nameof(Directory)) : Path.GetFullPath(value);
    }

    public long MemoryBudgetBytes
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), value, "a budget must be 0 or more");
    }

    public long DiskBudgetBytes
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(DiskBudgetBytes), value, "a budget must be 0 or more");
    }

    public string FramesDirectory => Path.Combine(Directory, "frames");

    public string AnalysesDirectory => Path.Combine(Directory, "analyses");

    /// <summary>
    /// The folder from $DEID_CACHE_DIR, else $XDG_CACHE_HOME/deid, else ~/.cache/deid (on Windows
    /// %LOCALAPPDATA%\deid\cache); budgets from $DEID_FRAME_CACHE_MB (default 1024) and $DEID_DISK_CACHE_MB (default
    /// 8192), in MiB. A value that is not a whole number of MiB from 0 is an error, not silently the default.
    /// </summary>
    /// <exception cref="FormatException">a variable holds something unusable; the message names it.</exception>
    public static CacheSettings FromEnvironment() =>
        FromVariables(Environment.GetEnvironmentVariable, OperatingSystem.IsWindows());

    internal static CacheSettings FromVariables(Func<string, string?> variable, bool windows) =>
        new(DirectoryFrom(variable, windows),
            Megabytes(variable, MemoryBudgetVariable, DefaultMemoryBudgetMegabytes) << 20,
            Megabytes(variable, DiskBudgetVariable, DefaultDiskBudgetMegabytes) << 20);

    private static string DirectoryFrom(Func<string, string?> variable, bool windows)
    {
        if (Set(variable(DirectoryVariable)) is { } configured) return configured;
        if (windows)
        {
            var local = Set(variable("LOCALAPPDATA")) ?? Set(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData))
                ?? throw new FormatException($"cannot find %LOCALAPPDATA% for the cache folder; set {DirectoryVariable}");
            return Path.Combine(local, "deid", "cache");
        }
        // The XDG specification says a relative $XDG_CACHE_HOME is invalid and to be ignored.
        if (Set(variable("XDG_CACHE_HOME")) is { } xdg && Path.IsPathFullyQualified(xdg)) return Path.Combine(xdg, "deid");
        var home = Set(variable("HOME")) ?? Set(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
            ?? throw new FormatException($"cannot find the home folder for the cache folder; set {DirectoryVariable}");
        return Path.Combine(home, ".cache", "deid");
    }

    private static long Megabytes(Func<string, string?> variable, string name, long fallback)
    {
        if (Set(variable(name)) is not { } text) return fallback;
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var megabytes) && megabytes <= MaxMegabytes
            ? megabytes
            : throw new FormatException($"{name} must be a whole number of MiB from 0 (0 turns that cache off), not '{text}'");
    }

    private static string? Set(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
