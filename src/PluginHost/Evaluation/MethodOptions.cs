namespace Deid.PluginHost.Evaluation;

/// <summary>What the command line sets for every evaluated method: strength 0..1 and a seed for methods that draw at random.</summary>
public sealed record MethodOptions(float Strength, int Seed);
