using Deid.Effect.Anonymization;
using Deid.PluginHost.Cli;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The methods `deid eval` knows, by name. A method that another build provides but this one lacks is named in
/// <see cref="NotBuilt"/>, so asking for it says so instead of calling it unknown.
/// </summary>
public static class EvaluatedMethods
{
    private static readonly Dictionary<string, Func<MethodOptions, IEvaluatedMethod>> Available = new()
    {
        [UntouchedMethod.MethodName] = _ => new UntouchedMethod(),
        ["blur"] = options => Compositor(AnonymizationMethod.Blur, options),
        ["pixelate"] = options => Compositor(AnonymizationMethod.Pixelate, options),
        ["solid"] = options => Compositor(AnonymizationMethod.Solid, options),
    };

    /// <summary>Identity replacement: planned, evaluated through an adapter once the engine has it.</summary>
    private static readonly string[] NotBuilt = ["replace"];

    public const string DefaultList = "blur,pixelate,solid";

    public static IReadOnlyList<string> Names => Available.Keys.ToList();

    /// <summary>Creates the methods of a comma-separated list, in its order, each once.</summary>
    public static IReadOnlyList<IEvaluatedMethod> Create(string list, MethodOptions options)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).Distinct().ToList();
        if (names.Count == 0) throw new CliError($"--methods is empty; known methods: {string.Join(", ", Names)}");
        foreach (var name in names)
        {
            if (Available.ContainsKey(name)) continue;
            if (NotBuilt.Contains(name))
                throw new CliError($"method '{name}' is not built into this deid; available: {string.Join(", ", Names)}");
            throw new CliError($"unknown method '{name}'; known methods: {string.Join(", ", Names)}");
        }
        return names.Select(name => Available[name](options)).ToList();
    }

    private static CompositorMethod Compositor(AnonymizationMethod method, MethodOptions options) =>
        new(new AnonymizerSettings { Method = method, Strength = options.Strength });
}
