using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Landmarks;
using Deid.Effect.Recognition;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>The models the replacement tests judge with, loaded once per test class.</summary>
public sealed class ReplacementFixture : IDisposable
{
    public ReplacementFixture()
    {
        Sessions = new InferenceSessionFactory(ExecutionDevice.Cpu);
        var models = SharedAssets.Models();
        Detector = new YuNetDetector(Sessions, models);
        Embedder = new ResNetFaceEmbedder(Sessions, models);
        Landmarker = new Landmark68Detector(Sessions, models);
    }

    public InferenceSessionFactory Sessions { get; }

    public YuNetDetector Detector { get; }

    public ResNetFaceEmbedder Embedder { get; }

    public Landmark68Detector Landmarker { get; }

    public FaceReplacer CreateReplacer(ReplacementOptions options) => new(Sessions, SharedAssets.Models(), options);

    public void Dispose()
    {
        Detector.Dispose();
        Embedder.Dispose();
        Landmarker.Dispose();
    }
}
