using Deid.Effect.Inference;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// What the command line sets for every evaluated method: strength 0..1, a seed for methods that draw at random, and
/// where methods with models of their own run them; for replace, a folder of donor portraits, and whether frames come
/// in order into an encoder (as `deid render` writes them: replace then checks each new face against the frame before).
/// </summary>
public sealed record MethodOptions(float Strength, int Seed, ExecutionDevice Device = ExecutionDevice.Auto, string? DonorFolder = null,
    bool FramesInOrder = false);
