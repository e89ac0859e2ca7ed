namespace Deid.PluginHost.Tests;

/// <summary>
/// Locates the shared test media: $DEID_MEDIA when set, otherwise the `shared/media` folder beside the repository.
/// A missing folder fails the test that needs it; nothing is skipped.
/// </summary>
public static class TestMedia
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string MediaDirectory =>
        Environment.GetEnvironmentVariable("DEID_MEDIA") is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "media"));

    public static string Media(params string[] parts) => Path.Combine([MediaDirectory, .. parts]);

    /// <summary>640x360 H.264 at 2997/100 fps, 275 frames, AAC audio; video starts at 0.852 s, audio at 0.008 s.</summary>
    public static string HamiltonClip => Media("video", "short_hamilton_clip.mp4");

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DeidPlugin.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("DeidPlugin.sln not found above the test assembly");
    }
}
