namespace Deid.PluginHost.Evaluation;

/// <summary>Everything `deid eval` measured: the input and one report per method, in the order asked for.</summary>
public sealed record EvaluationReport(
    string Input,
    string Kind,
    int Frames,
    int Faces,
    int ConfidentFaces,
    int Identities,
    float Strength,
    int Seed,
    IReadOnlyList<MethodReport> Methods);
