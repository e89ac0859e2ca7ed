namespace Deid.PluginHost.Evaluation;

/// <summary>How many faces a method handled one way (e.g. "replaced", "blurred: still recognized"), over every face it was given.</summary>
public sealed record FaceOutcomeCount(string Outcome, int Faces);
