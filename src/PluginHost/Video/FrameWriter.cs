using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace Deid.PluginHost.Video;

/// <summary>
/// Encodes BGR24 frames, fed one by one, into a video that keeps everything else of the source: all its audio
/// streams copied bit for bit, its global metadata, its frame rate and time base, its colour tags and matrix, its
/// display rotation, and where its video starts relative to its audio.
/// </summary>
/// <remarks>
/// How each property survives (verified with ffprobe on ffmpeg 5.1):
/// <list type="bullet">
/// <item>Timing: frames enter as rawvideo at the source's exact rational rate; `settb` moves them to the source's time
/// base and `setpts=PTS+start_pts` shifts them to the source's first video timestamp, `-enc_time_base` keeps that time
/// base through the encoder, and `-copyts` stops ffmpeg from rebasing either input to zero. `-itsoffset` is not used:
/// it is rounded to whole frames of the raw input (0.852 s came out as 0.867 s). Frames are spaced evenly at the
/// nominal rate, so a variable-frame-rate source changes duration; <see cref="VideoVerifier"/> reports that.</item>
/// <item>Frames: `-fps_mode passthrough`; the default CFR mode for MP4 would invent frames to fill the gap before a
/// video that starts late (275 in, 301 out).</item>
/// <item>Rotation: ffmpeg 5.1 drops a `rotate` tag on an encoded stream and has no `-display_rotation`, so a rotated
/// source is encoded to a temporary file first and then stream-copied with `-metadata:s:v:0 rotate=N` (ffmpeg 5.x)
/// or `-display_rotation N` on the input (ffmpeg 6+).</item>
/// </list>
/// <see cref="Abort"/> and <see cref="Dispose"/> stop ffmpeg and delete the writer's own temporary file, but leave
/// the output path to the caller (see <see cref="AtomicOutput"/>).
/// </remarks>
public sealed class FrameWriter : IDisposable
{
    private static readonly string[] FastStartExtensions = [".mp4", ".mov", ".m4v"];

    private readonly FfmpegTools _tools;
    private readonly Process _process;
    private readonly Stream _input;
    private readonly FfmpegTools.ErrorTail _errors = new();
    private readonly int _frameBytes;
    private readonly string? _unrotatedPath;
    private bool _finished;

    /// <param name="source">The video the frames come from; its audio, metadata and timing are taken from its file.</param>
    /// <param name="outputPath">Where to write; an existing file there is overwritten.</param>
    /// <param name="format">What <see cref="Write"/> receives: BGR frames, or yuv420p planes passed to the encoder unconverted.</param>
    public FrameWriter(FfmpegTools tools, VideoInfo source, string outputPath, EncodeSettings? settings = null, RawFrameFormat format = RawFrameFormat.Bgr24)
    {
        _tools = tools;
        Source = source;
        Format = format;
        OutputPath = Path.GetFullPath(outputPath);
        Settings = (settings ?? new EncodeSettings()).For(source);
        if (format == RawFrameFormat.Yuv420p && Settings.PixelFormat != "yuv420p")
            throw new ArgumentException($"yuv420p frames cannot be encoded as {Settings.PixelFormat}", nameof(format));
        _frameBytes = RawFrameFormats.FrameBytes(format, source.Width, source.Height);
        if (source.Rotation != 0) _unrotatedPath = AtomicOutput.PartialPath(OutputPath, "-unrotated");
        _process = tools.Start(tools.FfmpegPath, EncodeArguments(_unrotatedPath ?? OutputPath, fastStart: _unrotatedPath is null),
            redirectInput: true, redirectOutput: false, errorTail: _errors);
        _input = _process.StandardInput.BaseStream;
    }

    public VideoInfo Source { get; }

    public RawFrameFormat Format { get; }

    public string OutputPath { get; }

    /// <summary>The settings in use, with the pixel format resolved for the source.</summary>
    public EncodeSettings Settings { get; }

    public long FramesWritten { get; private set; }

    /// <summary>Queues one frame for encoding, in the writer's <see cref="Format"/> at the source's stored size.</summary>
    /// <exception cref="VideoException">ffmpeg has stopped; the message carries its reason.</exception>
    public unsafe void Write(Mat frame)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (!RawFrameFormats.HasShape(frame, Format, Source.Width, Source.Height))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"expected a {Source.Width}x{Source.Height} {Format} frame, got {frame.Width}x{frame.Height} {frame.Type()}"), nameof(frame));
        }
        try
        {
            if (frame.IsContinuous())
            {
                _input.Write(new ReadOnlySpan<byte>((void*)frame.Data, _frameBytes));
            }
            else
            {
                // A region of a larger Mat: its rows are not adjacent, so send them one by one rather than copy.
                var rows = frame.Height;
                var rowBytes = _frameBytes / rows;
                for (var y = 0; y < rows; y++) _input.Write(new ReadOnlySpan<byte>((void*)frame.Ptr(y), rowBytes));
            }
        }
        catch (IOException e)
        {
            // ffmpeg closed its end: it failed, and its log says why. Only the untimed wait also drains stderr.
            if (_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.WaitForExit();
            throw new VideoException($"encoding {OutputPath} failed after {FramesWritten} frames: {Reason()}", e);
        }
        FramesWritten++;
    }

    /// <summary>Ends the input, waits for ffmpeg to finish the file, and applies the rotation if there is one.</summary>
    /// <exception cref="VideoException">ffmpeg failed; the message carries its last error line.</exception>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        try
        {
            try
            {
                _input.Close();
            }
            catch (IOException)
            {
                // Broken pipe: ffmpeg is already gone; its exit code below says why.
            }
            _process.WaitForExit();
            if (_process.ExitCode != 0) throw new VideoException($"encoding {OutputPath} failed: {Reason()}");
            if (FramesWritten == 0) throw new VideoException($"encoding {OutputPath} failed: no frame was written");
            if (_unrotatedPath is not null) ApplyRotation(_unrotatedPath);
        }
        finally
        {
            _process.Dispose();
            DeleteUnrotated();
        }
    }

    /// <summary>Stops ffmpeg without finishing the file. The output path may hold a partial file afterwards.</summary>
    public void Abort()
    {
        if (_finished) return;
        _finished = true;
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        DeleteUnrotated();
    }

    /// <summary>Aborts unless <see cref="Complete"/> ran.</summary>
    public void Dispose() => Abort();

    private string Reason() => _errors.LastMeaningfulLine() ?? $"ffmpeg exited with code {(_process.HasExited ? _process.ExitCode : -1)}";

    private List<string> EncodeArguments(string target, bool fastStart)
    {
        var source = Source;
        var range = source.IsFullRange ? "pc" : "tv";
        var pixelFormat = Settings.PixelFormat!;
        // yuv420p frames are the source's own planes: no conversion, so untouched pixels reach the encoder unchanged.
        var conversion = Format == RawFrameFormat.Yuv420p ? ""
            : $"scale=in_range=pc:out_color_matrix={source.ConversionMatrix}:out_range={range}:flags=bicubic+full_chroma_int,";
        var filters = string.Create(CultureInfo.InvariantCulture,
            $"settb={source.TimeBaseText},setpts=PTS+{source.VideoStartPts},{conversion}format={pixelFormat}");
        var arguments = new List<string>
        {
            "-hide_banner", "-nostdin", "-v", "error", "-y",
            "-copyts",
            "-f", "rawvideo", "-pix_fmt", Format == RawFrameFormat.Yuv420p ? "yuv420p" : "bgr24",
            "-s", string.Create(CultureInfo.InvariantCulture, $"{source.Width}x{source.Height}"),
            "-framerate", source.FrameRateText,
            "-i", "pipe:0",
            "-i", Path.GetFullPath(source.Path),
            "-map", "0:v:0", "-map", "1:a?",
            "-vf", filters,
            "-c:v", Settings.Codec, "-preset", Settings.Preset, "-crf", Settings.Crf.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", pixelFormat,
            "-color_range", range,
        };
        // Tag only what the source tags: an untagged source stays untagged, and players keep guessing it the same way.
        if (source.ColorSpace is { } space) arguments.AddRange(["-colorspace", space]);
        if (source.ColorPrimaries is { } primaries) arguments.AddRange(["-color_primaries", primaries]);
        if (source.ColorTransfer is { } transfer) arguments.AddRange(["-color_trc", transfer]);
        arguments.AddRange(
        [
            "-enc_time_base", source.TimeBaseText,
            "-fps_mode", "passthrough",
            "-c:a", "copy",
            "-map_metadata", "1",
        ]);
        if (fastStart && HasFastStart(OutputPath)) arguments.AddRange(["-movflags", "+faststart"]);
        arguments.Add(target);
        return arguments;
    }

    private void ApplyRotation(string unrotated)
    {
        var rotation = Source.Rotation.ToString(CultureInfo.InvariantCulture);
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-v", "error", "-y", "-copyts" };
        if (_tools.HasDisplayRotationOption) arguments.AddRange(["-display_rotation:v:0", rotation]);
        arguments.AddRange(["-i", unrotated, "-map", "0", "-c", "copy", "-map_metadata", "0"]);
        if (!_tools.HasDisplayRotationOption) arguments.AddRange(["-metadata:s:v:0", $"rotate={rotation}"]);
        if (HasFastStart(OutputPath)) arguments.AddRange(["-movflags", "+faststart"]);
        arguments.Add(OutputPath);

        var (exitCode, _, error) = _tools.Run(_tools.FfmpegPath, arguments);
        if (exitCode != 0)
        {
            var reason = FfmpegTools.MeaningfulLine(error.Split('\n')) ?? $"ffmpeg exited with code {exitCode}";
            throw new VideoException($"writing the rotation of {OutputPath} failed: {reason}");
        }
    }

    private void DeleteUnrotated()
    {
        if (_unrotatedPath is null) return;
        try
        {
            File.Delete(_unrotatedPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the name carries the partial marker.
        }
    }

    private static bool HasFastStart(string path) =>
        FastStartExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
}
