using Deid.Effect.Models;

namespace Deid.Effect.Tests;

/// <summary>
/// Locates the shared test models and media: $DEID_MODELS and $DEID_MEDIA when set, otherwise the `shared`
/// folder beside the repository. A missing folder fails the test that needs it; nothing is skipped.
/// </summary>
public static class SharedAssets
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ModelsDirectory =>
        Environment.GetEnvironmentVariable(ModelLocator.EnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "models"));

    public static string MediaDirectory =>
        Environment.GetEnvironmentVariable("DEID_MEDIA") is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "media"));

    public static string Media(params string[] parts) => Path.Combine([MediaDirectory, .. parts]);

    public static string HamiltonClip => Media("video", "short_hamilton_clip.mp4");

    public static ModelLocator Models() => new([ModelsDirectory]);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DeidPlugin.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("DeidPlugin.sln not found above the test assembly");
    }
}
