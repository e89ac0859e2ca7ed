using Deid.Effect.Anonymization;
using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Rendering;

/// <summary>Everything `deid render` was asked to do.</summary>
public sealed record RenderRequest(string InputPath, string OutputPath)
{
    public AnonymizerSettings Anonymizer { get; init; } = new();

    public DetectorOptions Detector { get; init; } = new();

    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;

    public EncodeSettings? Encode { get; init; }

    public bool Quiet { get; init; }
}
