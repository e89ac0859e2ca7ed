namespace Deid.Effect.Detection;

/// <summary>
/// How the detector looks at a frame. YuNet finds faces from about 10 px up to about a third of its input;
/// one coarse pass catches large faces cheaply and a full-resolution pass catches small ones, so a 20 px face in a
/// 1080p frame is found. Small frames can get an upscaled pass for faces near the model's lower limit.
/// </summary>
public sealed record DetectorOptions
{
    /// <summary>
    /// Detections below this confidence are dropped. 0.5 keeps, with margin, every labelled face (they score 0.86+)
    /// and every pasted 14-24 px face in a 1080p frame (0.6+), and it keeps the dark real faces of stage footage that
    /// score 0.5-0.6. Below 0.5 about half of what the stage clip adds is hands and logos, and random-noise frames
    /// score up to 0.34.
    /// </summary>
    public float ScoreThreshold { get; init; } = 0.5f;

    public float NmsIouThreshold { get; init; } = 0.3f;

    /// <summary>Longest side of the coarse pass, in pixels.</summary>
    public int CoarseLongSide { get; init; } = 640;

    /// <summary>The finest pass never exceeds this longest side (4K frames are detected at this size).</summary>
    public int MaxLongSide { get; init; } = 3840;

    /// <summary>
    /// Frames whose longest side is at most this get an extra pass at twice their size; 0 turns it off. Off by
    /// default: it only helps faces of about 10-12 px (pasted 10 px faces in 640x360: 65% found without, 100% with);
    /// on the labelled photos and the stage clip it added no labelled face, only hands and specks; it makes a
    /// 640x360 frame about 6x slower.
    /// </summary>
    public int UpscaleBelowLongSide { get; init; } = 0;

    /// <summary>
    /// In a clip, the passes finer than the coarse one run on every n-th frame only: they cost about nine tenths of a
    /// 1080p frame's detection, and the small faces they exist for move a few pixels a frame, so tracking bridges the
    /// frames between (and holds track ends for longer than this interval). The coarse pass runs on every frame, so
    /// faces above about 50 px in 1080p are searched for in every frame. A searched-down pass (0.85 of 1080p) missed
    /// 20 px faces, so the fine pass stays at full resolution and is spread over frames instead.
    /// 1 runs every pass on every frame.
    /// </summary>
    public int FinePassInterval { get; init; } = 3;

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
