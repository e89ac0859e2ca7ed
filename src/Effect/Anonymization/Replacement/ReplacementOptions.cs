namespace Deid.Effect.Anonymization.Replacement;

/// <summary>How faces are replaced: the seed that picks the new faces, and the limits that keep pose and expression.</summary>
public sealed record ReplacementOptions
{
    /// <summary>Picks the new face of every identity; the same seed gives every person the same new face again.</summary>
    public int Seed { get; init; }

    /// <summary>Recognizer distance from the person that planning aims for on the identity's sample faces (0.6 = same person).</summary>
    public float TargetDistance { get; init; } = 0.8f;

    /// <summary>Transforms tried per identity; the first that reaches <see cref="TargetDistance"/> on every sample wins, else the farthest.</summary>
    public int Candidates { get; init; } = 8;

    /// <summary>
    /// Passes of the shading search planning runs when no candidate reaches <see cref="TargetDistance"/>: each pass
    /// tries every shading region flipped and strengthened (two recognizer measurements per region and sample); the
    /// first within <see cref="ShadingChange.NaturalAmplitude"/>, the others up to <see cref="ShadingChange.LimitFor"/> the faces' size.
    /// </summary>
    public int ShadingSearchPasses { get; init; } = 2;

    /// <summary>Most sample faces of one identity that planning measures on.</summary>
    public int MaxSamples { get; init; } = 4;

    /// <summary>Faces whose box is smaller than this many pixels are blurred: too little to replace meaningfully.</summary>
    public float MinFaceSize { get; init; } = 24f;

    /// <summary>
    /// After replacing, measure the result with the recognizer and blur the face instead when it is still within
    /// the match distance of the original (about 2-4 ms per face).
    /// </summary>
    public bool SafetyCheck { get; init; } = true;

    /// <summary>
    /// Margin of the safety check: a replaced face passes only when it is this much beyond the match distance,
    /// or this much farther from the person than a heavily blurred copy is. Otherwise a stronger replacement is
    /// tried once, then the face is blurred. Judged again after encoding, at other landmarks, a face near the
    /// line can fall either side of it; the margin keeps such faces off the line.
    /// </summary>
    public float SafetyMargin { get; init; } = 0.08f;

    /// <summary>
    /// Margin for the stronger retry of a face made from donors: it passes only beyond the match distance by this
    /// much, both as rendered and after a lossy encoding of its chip (which the safety margin otherwise has to cover).
    /// </summary>
    public float RetryMargin { get; init; } = 0.04f;

    /// <summary>
    /// 0..1: how strongly 68-point landmarks are smoothed along a track (0 = raw). Small movements are damped,
    /// large ones (expression, speech) are followed.
    /// </summary>
    public float LandmarkSmoothing { get; init; } = 0.6f;

    /// <summary>
    /// Frames come in order (a file render): a track that had to take one of the person's other new faces keeps it on
    /// the frames that follow while it clears the match distance outright, instead of going back to the person's own
    /// on every frame where that one passes. Off where frames stand alone (the editor), so a frame renders the same
    /// whichever frames came before it.
    /// </summary>
    public bool KeepNewFaceAlongTrack { get; init; } = true;

    /// <summary>The largest geometric changes a transform may make.</summary>
    public FaceShapeLimits Shape { get; init; } = new();

    /// <summary>
    /// A folder of donor portraits (people who agreed to lend their features, or generated faces): new faces are
    /// then blends of two donors' features on the original's pose, expression and light, instead of the hand-made transform.
    /// </summary>
    public string? DonorFolder { get; init; }

    /// <summary>Names the donor folder's content (<see cref="Donors.DonorFolderFingerprint"/>) where results are cached; not used to render.</summary>
    public string? DonorFingerprint { get; init; }

    /// <summary>
    /// Donor mixes tried per identity (with a donor folder); the first that reaches <see cref="TargetDistance"/> on
    /// every sample wins, else the best trade of distance against drift. 32 rather than 16: on the Hamilton clip no
    /// mix reaches the target, and the wider choice kept pose on more faces (median over seeds 0-6 80.6 -> 83.3 %).
    /// </summary>
    public int DonorCandidates { get; init; } = 32;

    /// <summary>A donor is used for a person only when the recognizer puts them at least this far apart (0.6 = same person).</summary>
    public float DonorMinimumDistance { get; init; } = 0.75f;

    /// <summary>A learned generator (ONNX, see docs/GENERATOR.md) that replaces the hand-made transform when set.</summary>
    public string? GeneratorPath { get; init; }
}
