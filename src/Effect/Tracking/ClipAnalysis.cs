namespace Deid.Effect.Tracking;

/// <summary>The faces of a whole clip: its tracks, and for every frame the regions to cover.</summary>
public sealed class ClipAnalysis
{
    private readonly List<FaceRegion>[] _regionsByFrame;

    public ClipAnalysis(int frameCount, int width, int height, IReadOnlyList<FaceTrack> tracks)
    {
        FrameCount = frameCount;
        Width = width;
        Height = height;
        Tracks = tracks;
        _regionsByFrame = new List<FaceRegion>[frameCount];
        for (var i = 0; i < frameCount; i++) _regionsByFrame[i] = [];
        foreach (var track in tracks)
        {
            for (var i = 0; i < track.Regions.Count; i++) _regionsByFrame[track.StartFrame + i].Add(track.Regions[i]);
        }
    }

    public int FrameCount { get; }

    public int Width { get; }

    public int Height { get; }

    public IReadOnlyList<FaceTrack> Tracks { get; }

    public IReadOnlyList<FaceRegion> RegionsAt(int frame) =>
        frame >= 0 && frame < FrameCount ? _regionsByFrame[frame]
            : throw new ArgumentOutOfRangeException(nameof(frame), $"frame {frame} is outside the analysed clip (0..{FrameCount - 1})");
}
