namespace Deid.PluginHost.Evaluation;

/// <summary>
/// Everything `deid eval` measured: the input and one report per method, in the order asked for.
/// <see cref="Encoded"/>: the outputs were judged as a rendered file carries them (`--encoded`), not as the methods left them.
/// </summary>
public sealed record EvaluationReport(
    string Input,
    string Kind,
    int Frames,
    int Faces,
    int ConfidentFaces,
    int Identities,
    float Strength,
    int Seed,
    IReadOnlyList<MethodReport> Methods,
    bool Encoded = false);
