using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Landmarks;
using Deid.Effect.Models;
using Deid.Effect.Recognition;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The models replace runs besides the engine's: the 68 landmarks, the recognizer of planning and of the safety
/// check, and (with donors) the detector that finds donor faces and asks again about boxes the tracker carried on.
/// A process that keeps several replacers (deid serve: one per analysis and settings) loads them once; replacers
/// that share them must not run at the same time.
/// </summary>
public sealed class ReplacementModels : IDisposable
{
    private ReplacementModels(Landmark68Detector landmarker, ResNetFaceEmbedder embedder, YuNetDetector? detector)
    {
        Landmarker = landmarker;
        Embedder = embedder;
        Detector = detector;
    }

    public Landmark68Detector Landmarker { get; }

    public ResNetFaceEmbedder Embedder { get; }

    /// <summary>Null when loaded without (no donors to find).</summary>
    public YuNetDetector? Detector { get; }

    public static ReplacementModels Load(InferenceSessionFactory sessions, ModelLocator models, bool withDetector)
    {
        Landmark68Detector? landmarker = null;
        ResNetFaceEmbedder? embedder = null;
        try
        {
            landmarker = new Landmark68Detector(sessions, models);
            embedder = new ResNetFaceEmbedder(sessions, models);
            return new ReplacementModels(landmarker, embedder, withDetector ? new YuNetDetector(sessions, models) : null);
        }
        catch
        {
            landmarker?.Dispose();
            embedder?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Landmarker.Dispose();
        Embedder.Dispose();
        Detector?.Dispose();
    }
}
