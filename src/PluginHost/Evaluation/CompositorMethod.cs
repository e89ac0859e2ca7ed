using Deid.Effect.Anonymization;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>The methods `deid render` applies (blur, pixelate, solid), through the same compositor and mask.</summary>
public sealed class CompositorMethod(AnonymizerSettings settings) : IEvaluatedMethod
{
    private readonly FaceCompositor _compositor = settings.CreateCompositor();

    public string Name { get; } = settings.Method.ToString().ToLowerInvariant();

    /// <summary>Nothing to learn: these methods look only at the pixels they hide.</summary>
    public void Prepare(EvaluationSubject subject) { }

    public void Anonymize(Mat bgrFrame, IReadOnlyList<FaceRegion> faces, Func<FaceRegion, string> identityKey) =>
        _compositor.Apply(bgrFrame, faces);

    public void Dispose() => _compositor.Dispose();
}
