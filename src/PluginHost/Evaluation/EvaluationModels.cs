using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Landmarks;
using Deid.Effect.Models;
using Deid.PluginHost.Rendering;

namespace Deid.PluginHost.Evaluation;

/// <summary>The engine's detector and recognizer (as `deid render` creates them) plus the 68-point landmarker.</summary>
public sealed class EvaluationModels : IDisposable
{
    public EvaluationModels(ExecutionDevice device, int rotation, Action<string> log)
    {
        Engine = new EngineModels(device, new DetectorOptions(), rotation, log);
        Landmarker = new Landmark68Detector(new InferenceSessionFactory(device, log), ModelLocator.Default());
    }

    public EngineModels Engine { get; }

    public Landmark68Detector Landmarker { get; }

    public void Dispose()
    {
        Engine.Dispose();
        Landmarker.Dispose();
    }
}
