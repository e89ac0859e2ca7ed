namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The people of an evaluated input, each with a few of their clearest faces (at most
/// <see cref="SamplesPerIdentity"/>, highest detector score first). Keys are the identity keys handed to
/// <see cref="IEvaluatedMethod.Anonymize"/>.
/// </summary>
public sealed class EvaluationSubject(IReadOnlyDictionary<string, IReadOnlyList<IdentitySample>> samplesByIdentity) : IDisposable
{
    public const int SamplesPerIdentity = 8;

    public IReadOnlyDictionary<string, IReadOnlyList<IdentitySample>> SamplesByIdentity { get; } = samplesByIdentity;

    public void Dispose()
    {
        foreach (var sample in SamplesByIdentity.Values.SelectMany(s => s)) sample.Image.Dispose();
    }
}
