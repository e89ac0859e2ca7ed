using Deid.Effect.Tracking;

namespace Deid.PluginHost.Evaluation;

/// <summary>What `deid eval` runs the methods on: a clip's frames or a folder of photos, with its faces already found.</summary>
public interface IEvaluationInput : IDisposable
{
    /// <summary>File or folder name, for reports.</summary>
    string Name { get; }

    /// <summary>A clip has time: flicker is measured on it.</summary>
    bool IsClip { get; }

    int FrameCount { get; }

    EvaluationSubject Subject { get; }

    /// <summary>Every face <see cref="ConfidentFace.Is"/> accepts, in frame order, as (frame, track); the strip picks from them.</summary>
    IReadOnlyList<(int Frame, int TrackId)> ConfidentFaces { get; }

    /// <summary>The person a face belongs to. Track ids are unique over the whole input, photos included.</summary>
    string IdentityKeyOf(FaceRegion face);

    IEnumerable<EvaluationFrame> Frames(CancellationToken cancel);
}
