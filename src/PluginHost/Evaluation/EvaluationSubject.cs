namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The people of an evaluated input, each with a few faces a method may study before anonymizing (photos: at most
/// <see cref="SamplesPerIdentity"/>, highest detector score first; clips: the analysis's own). Keys are the identity
/// keys handed to <see cref="IEvaluatedMethod.Anonymize"/>; a person without samples may be missing from them.
/// </summary>
public sealed class EvaluationSubject(IReadOnlyDictionary<string, IReadOnlyList<IdentitySample>> samplesByIdentity, int? people = null) : IDisposable
{
    public const int SamplesPerIdentity = 8;

    public IReadOnlyDictionary<string, IReadOnlyList<IdentitySample>> SamplesByIdentity { get; } = samplesByIdentity;

    /// <summary>How many people the input shows, with samples or without.</summary>
    public int People { get; } = people ?? samplesByIdentity.Count;

    public void Dispose()
    {
        foreach (var sample in SamplesByIdentity.Values.SelectMany(s => s)) sample.Image.Dispose();
    }
}
