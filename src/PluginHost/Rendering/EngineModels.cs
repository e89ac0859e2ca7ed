using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Models;
using Deid.Effect.Recognition;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Rendering;

/// <summary>The detector and recognizer a job needs, created once on the chosen execution provider.</summary>
public sealed class EngineModels : IDisposable
{
    private readonly YuNetDetector _detector;

    public EngineModels(ExecutionDevice device, DetectorOptions detectorOptions, int rotation, Action<string> log)
    {
        var locator = ModelLocator.Default();
        var sessions = new InferenceSessionFactory(device, log);
        Sessions = sessions;
        Locator = locator;
        _detector = new YuNetDetector(sessions, locator, detectorOptions);
        // VideoInfo.Rotation turns counter-clockwise for display; the detector wants the clockwise turn.
        Detector = new OrientedFaceDetector(_detector, (360 - rotation) % 360);
        Embedder = new ResNetFaceEmbedder(sessions, locator);
        ModelVersions = new[] { ModelCatalog.Detector, ModelCatalog.Recognizer }.ToDictionary(m => m.Name, m => m.Sha256);
    }

    public EngineModels(ExecutionDevice device, DetectorOptions detectorOptions, VideoInfo source, Action<string> log)
        : this(device, detectorOptions, source.Rotation, log) { }

    /// <summary>Where further models of the job (the replace method's) are created, on the same provider.</summary>
    public InferenceSessionFactory Sessions { get; }

    public ModelLocator Locator { get; }

    public OrientedFaceDetector Detector { get; }

    public ResNetFaceEmbedder Embedder { get; }

    public IReadOnlyDictionary<string, string> ModelVersions { get; }

    public void Dispose()
    {
        Detector.Dispose();
        _detector.Dispose();
        Embedder.Dispose();
    }
}
