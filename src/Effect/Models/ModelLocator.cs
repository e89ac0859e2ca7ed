using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Deid.Effect.Models;

/// <summary>
/// Finds model files on the search path ($DEID_MODELS, then the install's own models folder, then the user cache)
/// and verifies each by SHA-256 before it is handed to an inference session.
/// </summary>
public sealed class ModelLocator
{
    public const string EnvironmentVariable = "DEID_MODELS";

    private readonly ConcurrentDictionary<string, string> _verified = new(StringComparer.Ordinal);

    public ModelLocator(IReadOnlyList<string> searchPath) => SearchPath = searchPath;

    public IReadOnlyList<string> SearchPath { get; }

    /// <summary>The standard search path: $DEID_MODELS, &lt;install&gt;/models, then the per-user cache.</summary>
    public static ModelLocator Default() => Default(Environment.GetEnvironmentVariable);

    /// <summary>The standard search path, reading variables through <paramref name="environment"/>.</summary>
    internal static ModelLocator Default(Func<string, string?> environment)
    {
        var path = new List<string>();
        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            path.AddRange(fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }
        path.Add(Path.Combine(AppContext.BaseDirectory, "models"));
        path.Add(UserCacheDirectory(environment));
        return new ModelLocator(path);
    }

    private static string UserCacheDirectory(Func<string, string?> environment)
    {
        var xdg = environment("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "deid", "models");
    }

    /// <summary>Returns the verified path of a model, or throws <see cref="ModelException"/> saying what is wrong.</summary>
    public string Resolve(ModelInfo model)
    {
        if (_verified.TryGetValue(model.Name, out var known)) return known;

        string? altered = null;
        foreach (var directory in SearchPath)
        {
            var candidate = Path.Combine(directory, model.FileName);
            if (!File.Exists(candidate)) continue;
            var digest = Sha256Of(candidate);
            if (string.Equals(digest, model.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                _verified[model.Name] = candidate;
                return candidate;
            }
            altered ??= $"model file {candidate} is not the expected {model.Name} model: SHA-256 {digest}, expected {model.Sha256}";
        }

        throw new ModelException(altered ??
            $"model file {model.FileName} ({model.Name}) not found; searched {string.Join(", ", SearchPath)}; " +
            $"set {EnvironmentVariable} to the folder that holds it (expected SHA-256 {model.Sha256})");
    }

    /// <summary>Checks every catalogued model, for `deid models`.</summary>
    public IReadOnlyList<(ModelInfo Model, string? Path, string? Problem)> CheckAll() =>
        ModelCatalog.All.Select(m =>
        {
            try { return (m, (string?)Resolve(m), (string?)null); }
            catch (ModelException e) { return (m, (string?)null, (string?)e.Message); }
        }).ToList();

    private static string Sha256Of(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (IOException e) { throw new ModelException($"model file {file} cannot be read: {e.Message}"); }
        catch (UnauthorizedAccessException e) { throw new ModelException($"model file {file} cannot be read: {e.Message}"); }
    }
}
