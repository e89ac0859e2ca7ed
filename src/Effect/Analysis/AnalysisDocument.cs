using MessagePack;

namespace Deid.Effect.Analysis;

/// <summary>
/// The on-disk form of a clip's analysis (MessagePack, versioned): enough to render again without detecting again,
/// and to show and choose people. Detections are stored flat per frame: x, y, w, h, score, then 5 landmark pairs.
/// </summary>
[MessagePackObject]
public sealed class AnalysisDocument
{
    public const int CurrentVersion = 1;
    public const int ValuesPerDetection = 15;

    [Key(0)] public int FormatVersion { get; set; } = CurrentVersion;

    [Key(1)] public string Fingerprint { get; set; } = string.Empty;

    [Key(2)] public int Width { get; set; }

    [Key(3)] public int Height { get; set; }

    [Key(4)] public int FrameRateNumerator { get; set; }

    [Key(5)] public int FrameRateDenominator { get; set; } = 1;

    /// <summary>Model name to SHA-256 of the models that produced this analysis.</summary>
    [Key(6)] public Dictionary<string, string> Models { get; set; } = [];

    [Key(7)] public float ScoreThreshold { get; set; }

    /// <summary>Per frame, <see cref="ValuesPerDetection"/> floats per detection.</summary>
    [Key(8)] public List<float[]> Detections { get; set; } = [];

    /// <summary>Per frame, the track id of each detection, in the same order.</summary>
    [Key(9)] public List<int[]> TrackOfDetection { get; set; } = [];

    [Key(10)] public List<IdentityRecord> Identities { get; set; } = [];

    /// <summary>Frame index to a 16x16 grey thumbnail, for checking that a clip is the one analysed.</summary>
    [Key(11)] public Dictionary<int, byte[]> FingerprintSamples { get; set; } = [];

    [Key(12)] public string SourceName { get; set; } = string.Empty;

    /// <summary>Frames that start a new shot, ascending; null in files written before cuts were found.</summary>
    [Key(13)] public int[]? CutFrames { get; set; }
}

[MessagePackObject]
public sealed class IdentityRecord
{
    [Key(0)] public int Id { get; set; }

    [Key(1)] public int[] TrackIds { get; set; } = [];

    [Key(2)] public int FirstFrame { get; set; }

    [Key(3)] public int LastFrame { get; set; }

    [Key(4)] public float[] Centroid { get; set; } = [];

    [Key(5)] public List<float[]> Embeddings { get; set; } = [];

    [Key(6)] public List<byte[]> Thumbnails { get; set; } = [];

    /// <summary>Absent (empty) in files written before samples were kept.</summary>
    [Key(7)] public List<FaceSampleRecord> Samples { get; set; } = [];
}

[MessagePackObject]
public sealed class FaceSampleRecord
{
    [Key(0)] public byte[] Png { get; set; } = [];

    /// <summary>x, y, width, height in crop pixels.</summary>
    [Key(1)] public float[] Box { get; set; } = [];

    /// <summary>Five (x, y) pairs in crop pixels.</summary>
    [Key(2)] public float[] Landmarks { get; set; } = [];

    [Key(3)] public float Score { get; set; }
}
