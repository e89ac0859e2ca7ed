namespace Deid.PluginHost.Video;

/// <summary>
/// How the rendered video is encoded. The defaults are visually lossless H.264 at a moderate speed, in the source's
/// chroma layout where x264 can keep it.
/// </summary>
public sealed record EncodeSettings
{
    /// <summary>Pixel formats kept as they are; anything else (10-bit, yuvj, RGB...) is written as yuv420p.</summary>
    public static readonly IReadOnlyList<string> KeptPixelFormats = ["yuv420p", "yuv422p", "yuv444p"];

    public string Codec { get; init; } = "libx264";

    /// <summary>x264 preset, ultrafast .. veryslow.</summary>
    public string Preset { get; init; } = "medium";

    /// <summary>x264 constant rate factor, 0 (lossless) .. 51; 18 is visually lossless for most footage.</summary>
    public int Crf { get; init; } = 18;

    /// <summary>Output pixel format; null follows the source (see <see cref="PixelFormatFor"/>).</summary>
    public string? PixelFormat { get; init; }

    /// <summary>The pixel format to encode <paramref name="source"/> with.</summary>
    public string PixelFormatFor(VideoInfo source) =>
        PixelFormat ?? (KeptPixelFormats.Contains(source.PixelFormat) ? source.PixelFormat : "yuv420p");

    /// <summary>The settings for <paramref name="source"/>: these, with the pixel format resolved.</summary>
    public EncodeSettings For(VideoInfo source) => this with { PixelFormat = PixelFormatFor(source) };
}
