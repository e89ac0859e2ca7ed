namespace Deid.Effect.Detection;

/// <summary>
/// How the detector looks at a frame. YuNet finds faces from about 10 px up to about a third of its input;
/// one coarse pass catches large faces cheaply and a full-resolution pass catches small ones, so a 20 px face in a
/// 1080p frame is found. Small frames get an upscaled pass for faces near the model's lower limit.
/// </summary>
public sealed record DetectorOptions
{
    /// <summary>Detections below this confidence are dropped.</summary>
    public float ScoreThreshold { get; init; } = 0.5f;

    public float NmsIouThreshold { get; init; } = 0.3f;

    /// <summary>Longest side of the coarse pass, in pixels.</summary>
    public int CoarseLongSide { get; init; } = 640;

    /// <summary>The finest pass never exceeds this longest side (4K frames are detected at this size).</summary>
    public int MaxLongSide { get; init; } = 3840;

    /// <summary>Frames whose longest side is at most this get an extra pass at twice their size.</summary>
    public int UpscaleBelowLongSide { get; init; } = 0;

    /// <summary>The scale factors (pass size / frame size) for a frame of the given size, coarsest first.</summary>
    public IReadOnlyList<float> ScalesFor(int width, int height)
    {
        var longSide = Math.Max(width, height);
        var scales = new List<float>();
        var finest = Math.Min(1f, MaxLongSide / (float)longSide);
        var coarse = Math.Min(finest, CoarseLongSide / (float)longSide);
        scales.Add(coarse);
        if (finest > coarse * 1.25f) scales.Add(finest);
        if (UpscaleBelowLongSide > 0 && longSide <= UpscaleBelowLongSide) scales.Add(2f);
        return scales;
    }
}
