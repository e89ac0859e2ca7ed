using Deid.PluginHost.Video;

namespace Deid.PluginHost.Rendering;

public static class FrameSource
{
    /// <summary>Decodes a video's frames ahead of use on a background thread.</summary>
    public static FramePrefetcher Open(FfmpegTools tools, VideoInfo source)
    {
        var reader = new FrameReader(tools, source);
        return new FramePrefetcher(reader.Read, source.Width, source.Height, reader);
    }
}
