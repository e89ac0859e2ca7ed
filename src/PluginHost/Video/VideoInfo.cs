using System.Globalization;

namespace Deid.PluginHost.Video;

/// <summary>
/// What ffprobe says about a video file's first video stream, plus the facts about its other streams that a
/// faithful re-encode must keep. Sizes are as stored (coded orientation); <see cref="Rotation"/> says how to show it.
/// </summary>
public sealed record VideoInfo
{
    public required string Path { get; init; }

    /// <summary>Index of the video stream among all the file's streams (the one ffmpeg's `-map 0:N` takes).</summary>
    public required int VideoStreamIndex { get; init; }

    /// <summary>Frame width as stored, before any display rotation.</summary>
    public required int Width { get; init; }

    /// <summary>Frame height as stored, before any display rotation.</summary>
    public required int Height { get; init; }

    /// <summary>The stream's nominal frame rate: ffprobe's r_frame_rate, or avg_frame_rate where r is 0/0.</summary>
    public required (int Numerator, int Denominator) FrameRate { get; init; }

    /// <summary>The stream's time base; the unit of its timestamps, kept on output so they stay exact.</summary>
    public required (int Numerator, int Denominator) TimeBase { get; init; }

    /// <summary>
    /// Frames in the stream as the container declares them (nb_frames), or null where the container does not say
    /// (Matroska, MPEG-TS, fragmented MP4). Either way the probe proved that at least one frame decodes; a damaged
    /// file may still decode to fewer than declared, which <see cref="FrameReader.FramesRead"/> then tells.
    /// </summary>
    public long? FrameCount { get; init; }

    /// <summary>Video stream duration in seconds (the container's when the stream has none), 0 when unknown.</summary>
    public required double Duration { get; init; }

    /// <summary>Presentation time of the first video frame, in seconds. Often not 0, and not the audio's.</summary>
    public required double VideoStartTime { get; init; }

    /// <summary>The first video timestamp in <see cref="TimeBase"/> units (start_pts); 0 when unknown.</summary>
    public required long VideoStartPts { get; init; }

    /// <summary>
    /// Display rotation in degrees, one of 0, 90, 180, 270, counter-clockwise: the sign of ffprobe's display-matrix
    /// "rotation" and of ffmpeg 6+'s `-display_rotation` (and, as verified on ffmpeg 5.1, of a `rotate` tag set while
    /// stream-copying into MP4). A portrait phone clip stored landscape reads 270 here (ffprobe prints -90). The legacy
    /// `rotate` tag that pre-5.0 demuxers exported is clockwise and is converted to this convention.
    /// </summary>
    public required int Rotation { get; init; }

    /// <summary>Number of audio streams; all of them are copied unchanged to the output.</summary>
    public required int AudioStreamCount { get; init; }

    public bool HasAudio => AudioStreamCount > 0;

    /// <summary>Start of the first audio stream in seconds, or null without audio.</summary>
    public double? AudioStartTime { get; init; }

    /// <summary>ffmpeg's name for the decoded pixel format, e.g. yuv420p, yuvj420p, yuv420p10le.</summary>
    public required string PixelFormat { get; init; }

    /// <summary>ffprobe color_space (the YUV matrix), e.g. bt709, smpte170m; null when the file does not say.</summary>
    public string? ColorSpace { get; init; }

    public string? ColorPrimaries { get; init; }

    public string? ColorTransfer { get; init; }

    /// <summary>"tv" (limited, 16-235) or "pc" (full); null when the file does not say.</summary>
    public string? ColorRange { get; init; }

    /// <summary>ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".</summary>
    public required string FormatName { get; init; }

    /// <summary>ffprobe's codec_name for the video stream, e.g. h264.</summary>
    public required string VideoCodec { get; init; }

    public double Fps => (double)FrameRate.Numerator / FrameRate.Denominator;

    /// <summary>One frame's duration at the nominal rate, in seconds: the tolerance for timing comparisons.</summary>
    public double FrameDuration => (double)FrameRate.Denominator / FrameRate.Numerator;

    /// <summary>Width as shown, after rotation.</summary>
    public int DisplayWidth => Rotation is 90 or 270 ? Height : Width;

    /// <summary>Height as shown, after rotation.</summary>
    public int DisplayHeight => Rotation is 90 or 270 ? Width : Height;

    /// <summary>The frame rate as ffmpeg options take it, e.g. "2997/100".</summary>
    public string FrameRateText => Text(FrameRate);

    public string TimeBaseText => Text(TimeBase);

    /// <summary>
    /// The YUV&lt;-&gt;RGB matrix to convert with, by swscale's name: the tagged one, else what players assume for an
    /// untagged stream (BT.709 for HD sizes, BT.601 below). Reading and writing use the same one, so a round trip
    /// does not shift colours.
    /// </summary>
    public string ConversionMatrix => ColorSpace switch
    {
        "bt709" => "bt709",
        "smpte170m" or "bt470bg" => "bt601",
        "bt2020nc" or "bt2020c" => "bt2020",
        "smpte240m" => "smpte240m",
        "fcc" => "fcc",
        _ => Width >= 1280 || Height > 576 ? "bt709" : "bt601",
    };

    /// <summary>Whether the samples use the full 0-255 range: tagged "pc", or untagged in a JPEG ("yuvj") format.</summary>
    public bool IsFullRange => ColorRange switch
    {
        "pc" => true,
        "tv" => false,
        _ => PixelFormat.StartsWith("yuvj", StringComparison.Ordinal),
    };

    private static string Text((int Numerator, int Denominator) rational) =>
        string.Create(CultureInfo.InvariantCulture, $"{rational.Numerator}/{rational.Denominator}");
}
