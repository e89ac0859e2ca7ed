using Deid.PluginHost.Video;

namespace Deid.PluginHost.Rendering;

public static class FrameSource
{
    /// <summary>Decodes a video's frames ahead of use on a background thread.</summary>
    public static FramePrefetcher Open(FfmpegTools tools, VideoInfo source, RawFrameFormat format = RawFrameFormat.Bgr24)
    {
        var reader = new FrameReader(tools, source, format);
        using var shape = new OpenCvSharp.Mat();
        RawFrameFormats.Shape(shape, format, source.Width, source.Height);
        return new FramePrefetcher(reader.Read, shape.Rows, shape.Cols, shape.Type(), reader);
    }
}
