namespace Deid.Effect.Inference;

/// <summary>Where inference runs. <see cref="Auto"/> prefers the GPU provider of the platform and falls back to the CPU.</summary>
public enum ExecutionDevice
{
    Auto,
    Cpu,
    Cuda,
    DirectML,
}
