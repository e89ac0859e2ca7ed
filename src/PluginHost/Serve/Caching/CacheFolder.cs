namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// The whole cache folder as `deid cache` sees it: the frames (<see cref="DiskFrameStore"/>) and the server's saved
/// analyses (<c>analyses/&lt;fingerprint&gt;.deid</c>). Nothing here creates the folder.
/// </summary>
public static class CacheFolder
{
    public const string AnalysisExtension = ".deid";

    public static CacheFolderStats Inspect(CacheSettings settings)
    {
        var frames = DiskFrameStore.For(settings).Stats();
        var analyses = Analyses(settings).ToList();
        return new CacheFolderStats(settings.Directory, frames, analyses.Count, analyses.Sum(a => a.Length));
    }

    /// <summary>Removes the frames and, unless <paramref name="framesOnly"/>, the saved analyses.</summary>
    public static CacheFolderCleared Clear(CacheSettings settings, bool framesOnly)
    {
        var frames = DiskFrameStore.For(settings).Clear();
        if (framesOnly) return new CacheFolderCleared(settings.Directory, frames, RemovedFiles.None);
        var count = 0;
        var bytes = 0L;
        foreach (var analysis in Analyses(settings))
        {
            try
            {
                var length = analysis.Length;
                analysis.Delete();
                count++;
                bytes += length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use by a running server on Windows: left for the next clear.
            }
        }
        try { if (Directory.Exists(settings.AnalysesDirectory)) Directory.Delete(settings.AnalysesDirectory, recursive: false); }
        catch (IOException) { /* other files beside the analyses stay, and so does their folder */ }
        return new CacheFolderCleared(settings.Directory, frames, new RemovedFiles(count, bytes));
    }

    private static IEnumerable<FileInfo> Analyses(CacheSettings settings)
    {
        var folder = new DirectoryInfo(settings.AnalysesDirectory);
        if (!folder.Exists) return [];
        try
        {
            return [.. folder.EnumerateFiles("*" + AnalysisExtension).Where(f => f.Name.EndsWith(AnalysisExtension, StringComparison.Ordinal))];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }
}
