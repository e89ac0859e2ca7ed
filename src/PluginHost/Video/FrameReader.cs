using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace Deid.PluginHost.Video;

/// <summary>
/// Decodes a file's video stream, frame by frame, as BGR24 through an ffmpeg subprocess. Every decoded frame comes
/// out once, in order, at its stored size and orientation (no autorotate, no frame-rate conversion), and is converted
/// with the source's own YUV matrix and range so that <see cref="FrameWriter"/> can convert back without a shift.
/// </summary>
public sealed class FrameReader : IDisposable
{
    private readonly Process _process;
    private readonly Stream _frames;
    private readonly FfmpegTools.ErrorTail _errors = new();
    private readonly int _frameBytes;
    private bool _ended;
    private volatile bool _disposed;

    /// <param name="format">
    /// <see cref="RawFrameFormat.Bgr24"/> for the engine's colour frames; <see cref="RawFrameFormat.Yuv420p"/> hands
    /// a yuv420p source's planes over unconverted (see <see cref="RawFrameFormats.CanCarry"/>).
    /// </param>
    public FrameReader(FfmpegTools tools, VideoInfo video, RawFrameFormat format = RawFrameFormat.Bgr24)
    {
        Video = video;
        Format = format;
        _frameBytes = RawFrameFormats.FrameBytes(format, video.Width, video.Height);
        _process = tools.Start(tools.FfmpegPath, Arguments(video, format), redirectInput: false, redirectOutput: true, errorTail: _errors);
        _frames = _process.StandardOutput.BaseStream;
    }

    public VideoInfo Video { get; }

    public RawFrameFormat Format { get; }

    /// <summary>Frames delivered so far; at the end of the stream, the number of frames the file really holds.</summary>
    public long FramesRead { get; private set; }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next frame; false at the end of the stream. The Mat is made
    /// the format's shape (CV_8UC3 W x H, or CV_8UC1 W x 3H/2 planes) if it is not already, so a reused Mat is never
    /// reallocated.
    /// </summary>
    /// <exception cref="VideoException">ffmpeg failed, or the stream ended inside a frame.</exception>
    public unsafe bool Read(Mat destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ended) return false;
        RawFrameFormats.Shape(destination, Format, Video.Width, Video.Height);
        if (!destination.IsContinuous()) throw new ArgumentException("the destination Mat must be continuous (not a region of a larger Mat)", nameof(destination));

        var buffer = new Span<byte>((void*)destination.Data, _frameBytes);
        var filled = 0;
        while (filled < _frameBytes)
        {
            var read = _frames.Read(buffer[filled..]);
            if (read == 0) break;
            filled += read;
        }
        if (filled == _frameBytes)
        {
            FramesRead++;
            return true;
        }

        _ended = true;
        // Dispose on another thread killed ffmpeg to unblock this read: that is a stop, not a failure.
        if (_disposed) return false;
        _process.WaitForExit();
        if (_process.ExitCode != 0)
        {
            throw new VideoException($"decoding {Video.Path} failed after {FramesRead} frames: {_errors.LastMeaningfulLine() ?? $"ffmpeg exited with code {_process.ExitCode}"}");
        }
        if (filled > 0)
        {
            throw new VideoException(string.Create(CultureInfo.InvariantCulture,
                $"decoding {Video.Path}: frame {FramesRead + 1} is truncated ({filled} of {_frameBytes} bytes)"));
        }
        return false;
    }

    private static List<string> Arguments(VideoInfo video, RawFrameFormat format)
    {
        var range = video.IsFullRange ? "pc" : "tv";
        // Explicit size: a stream whose resolution changes mid-way still yields frames of the size we read.
        var scale = format == RawFrameFormat.Yuv420p
            ? string.Create(CultureInfo.InvariantCulture, $"scale=w={video.Width}:h={video.Height},format=yuv420p")
            : string.Create(CultureInfo.InvariantCulture,
                $"scale=w={video.Width}:h={video.Height}:in_color_matrix={video.ConversionMatrix}:in_range={range}:out_range=pc:flags=bicubic+full_chroma_int,format=bgr24");
        return
        [
            "-hide_banner", "-nostdin", "-v", "error",
            "-noautorotate",
            "-i", Path.GetFullPath(video.Path),
            "-map", string.Create(CultureInfo.InvariantCulture, $"0:{video.VideoStreamIndex}"),
            "-vf", scale,
            "-fps_mode", "passthrough",
            "-f", "rawvideo", "-pix_fmt", format == RawFrameFormat.Yuv420p ? "yuv420p" : "bgr24",
            "pipe:1",
        ];
    }

    /// <summary>Stops ffmpeg if it is still decoding (the caller stopped early or failed).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
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
    }
}
