namespace Deid.Effect.Tracking;

/// <summary>How detections are linked into tracks and how the gaps and ends of a track are covered.</summary>
public sealed record TrackingOptions
{
    /// <summary>Minimum overlap for a detection to continue a track.</summary>
    public float MinIou { get; init; } = 0.2f;

    /// <summary>A face missed for up to this many frames is bridged by interpolation (about half a second at 25-30 fps).</summary>
    public int MaxGapFrames { get; init; } = 15;

    /// <summary>A track's first and last region are held this many frames before and after it, for faces entering or leaving.</summary>
    public int HoldFrames { get; init; } = 5;

    /// <summary>Half-width of the centred smoothing window over box position and size.</summary>
    public int SmoothingRadius { get; init; } = 3;
}
