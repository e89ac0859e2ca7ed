using Deid.Effect.Inference;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// What the command line sets for every evaluated method: strength 0..1, a seed for methods that draw at random, and
/// where methods with models of their own run them; for replace, a folder of donor portraits.
/// </summary>
public sealed record MethodOptions(float Strength, int Seed, ExecutionDevice Device = ExecutionDevice.Auto, string? DonorFolder = null);
