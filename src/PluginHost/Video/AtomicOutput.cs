using System.Globalization;

namespace Deid.PluginHost.Video;

/// <summary>
/// Writes an output through a temporary file beside it and renames it into place only on <see cref="Commit"/>,
/// so an interrupted or failed render never leaves a file that looks complete (nor destroys an existing one).
/// The output location is checked when this is created, before any decoding or encoding starts.
/// </summary>
public sealed class AtomicOutput : IDisposable
{
    /// <summary>Marks every temporary file this project writes; .gitignore ignores it.</summary>
    public const string PartialMarker = ".deid-partial";

    /// <param name="finalPath">Where the finished output goes.</param>
    /// <param name="inputPath">The source, which the output must not overwrite; null to skip that check.</param>
    /// <exception cref="VideoException">The output would overwrite the input, or its directory is missing or not writable.</exception>
    public AtomicOutput(string finalPath, string? inputPath = null)
    {
        FinalPath = Path.GetFullPath(finalPath);
        if (inputPath is not null && SameFile(FinalPath, Path.GetFullPath(inputPath)))
        {
            throw new VideoException($"cannot write output {finalPath}: it is the input file; choose another output path");
        }
        if (Directory.Exists(FinalPath)) throw new VideoException($"cannot write output {finalPath}: it is a directory");
        var directory = Path.GetDirectoryName(FinalPath)!;
        if (!Directory.Exists(directory)) throw new VideoException($"cannot write output {finalPath}: directory {directory} does not exist");

        TempPath = PartialPath(FinalPath);
        try
        {
            // Creating the temp file now proves the directory is writable and reserves the name; ffmpeg overwrites it.
            using (new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { }
        }
        catch (UnauthorizedAccessException)
        {
            throw new VideoException($"cannot write output {finalPath}: permission denied in {directory}");
        }
        catch (IOException e)
        {
            throw new VideoException($"cannot write output {finalPath}: {e.Message}", e);
        }
    }

    /// <summary>The full path of the finished output.</summary>
    public string FinalPath { get; }

    /// <summary>Where to write until <see cref="Commit"/>: same directory (so the rename is atomic), same extension (so ffmpeg picks the same muxer).</summary>
    public string TempPath { get; }

    public bool Committed { get; private set; }

    /// <summary>
    /// A hidden sibling of <paramref name="path"/> that keeps its extension, e.g. `.clip.deid-partial-4242.mp4`;
    /// <paramref name="tag"/> distinguishes several temporaries of the same output.
    /// </summary>
    public static string PartialPath(string path, string tag = "")
    {
        var full = Path.GetFullPath(path);
        var name = string.Create(CultureInfo.InvariantCulture,
            $".{Path.GetFileNameWithoutExtension(full)}{PartialMarker}-{Environment.ProcessId}{tag}{Path.GetExtension(full)}");
        return Path.Combine(Path.GetDirectoryName(full)!, name);
    }

    /// <summary>Moves the temporary file over the final path, replacing any file there.</summary>
    public void Commit()
    {
        if (Committed) return;
        try
        {
            File.Move(TempPath, FinalPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VideoException($"cannot write output {FinalPath}: {e.Message}", e);
        }
        Committed = true;
    }

    /// <summary>Deletes the temporary file unless it was committed.</summary>
    public void Dispose()
    {
        if (Committed) return;
        try
        {
            File.Delete(TempPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the name carries the partial marker, so a leftover is recognisable and git-ignored.
        }
    }

    private static bool SameFile(string a, string b)
    {
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (string.Equals(a, b, comparison)) return true;
        // A symbolic link to the input is the input too.
        return File.Exists(a) && string.Equals(Resolve(a), Resolve(b), comparison);
    }

    private static string Resolve(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
}
