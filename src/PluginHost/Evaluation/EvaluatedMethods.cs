using Deid.Effect.Anonymization;
using Deid.PluginHost.Cli;

namespace Deid.PluginHost.Evaluation;

/// <summary>The methods `deid eval` knows, by name.</summary>
public static class EvaluatedMethods
{
    private static readonly Dictionary<string, Func<MethodOptions, IEvaluatedMethod>> Available = new()
    {
        [UntouchedMethod.MethodName] = _ => new UntouchedMethod(),
        [ShiftedMethod.MethodName] = _ => new ShiftedMethod(),
        ["blur"] = options => Compositor(AnonymizationMethod.Blur, options),
        ["pixelate"] = options => Compositor(AnonymizationMethod.Pixelate, options),
        ["solid"] = options => Compositor(AnonymizationMethod.Solid, options),
        [ReplaceMethod.MethodName] = options => new ReplaceMethod(options),
        [ReplaceMethod.EditorMethodName] = options => new ReplaceMethod(options, framesAlone: true),
    };

    public const string DefaultList = "blur,pixelate,solid,replace";

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
            throw new CliError($"unknown method '{name}'; known methods: {string.Join(", ", Names)}");
        }
        return names.Select(name => Available[name](options)).ToList();
    }

    private static CompositorMethod Compositor(AnonymizationMethod method, MethodOptions options) =>
        new(new AnonymizerSettings { Method = method, Strength = options.Strength });
}
