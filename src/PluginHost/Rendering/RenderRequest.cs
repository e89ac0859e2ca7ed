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

    /// <summary>
    /// Whether the rendered file is read back and faces it still shows too near their person are hidden more and the
    /// clip rendered again (see <see cref="OutputFaceCheck"/>); null: for the replace method only.
    /// </summary>
    public bool? CheckOutput { get; init; }

    /// <summary>With the read-back, how many times the clip may be written before the render gives up and writes nothing.</summary>
    public int MaxWritings { get; init; } = ReadBack.DefaultMaxWritings;

    /// <summary>Where to write a redaction report (HTML): what the written file shows at every tracked face; null for none.</summary>
    public string? ReportPath { get; init; }

    /// <summary>A saved analysis (`deid analyze`) to use instead of analysing again.</summary>
    public string? AnalysisPath { get; init; }

    /// <summary>A selection document: who is anonymized when.</summary>
    public string? SelectionPath { get; init; }

    /// <summary>Identities kept visible for the whole clip.</summary>
    public IReadOnlyList<int> Keep { get; init; } = [];

    /// <summary>Photos of people to keep visible: every identity that matches one is kept.</summary>
    public IReadOnlyList<string> KeepPhotos { get; init; } = [];
}
