using Deid.Effect.Detection;

namespace Deid.Effect.Tracking;

/// <summary>One face followed over consecutive frames: the raw detections, and the covered regions built from them.</summary>
public sealed class FaceTrack
{
    private readonly SortedDictionary<int, FaceDetection> _observations = new();

    public FaceTrack(int id) => Id = id;

    public int Id { get; }

    public IReadOnlyDictionary<int, FaceDetection> Observations => _observations;

    public int FirstObserved => _observations.Keys.First();

    public int LastObserved { get; private set; } = -1;

    public FaceDetection LastDetection => _observations[LastObserved];

    /// <summary>First frame covered, holds included.</summary>
    public int StartFrame { get; internal set; }

    /// <summary>Regions from <see cref="StartFrame"/> on, one per frame, no gaps.</summary>
    public IReadOnlyList<FaceRegion> Regions { get; internal set; } = [];

    public int EndFrame => StartFrame + Regions.Count - 1;

    public float BestScore => _observations.Values.Max(d => d.Score);

    internal void Add(int frame, FaceDetection detection)
    {
        _observations[frame] = detection;
        LastObserved = Math.Max(LastObserved, frame);
    }
}
