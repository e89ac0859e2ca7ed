using OpenCvSharp;

namespace Deid.PluginHost.Video;

public static class RawFrameFormats
{
    /// <summary>
    /// Whether a source can be rendered in yuv420p end to end: it is yuv420p with even sides and is encoded as
    /// yuv420p again. Then only the pixels of hidden faces are ever converted.
    /// </summary>
    public static bool CanCarry(VideoInfo source, EncodeSettings settings) =>
        source.PixelFormat == "yuv420p" && source.Width % 2 == 0 && source.Height % 2 == 0 && settings.PixelFormatFor(source) == "yuv420p";

    public static int FrameBytes(RawFrameFormat format, int width, int height) => format switch
    {
        RawFrameFormat.Yuv420p => checked(width * height * 3 / 2),
        _ => checked(width * height * 3),
    };

    public static void Shape(Mat mat, RawFrameFormat format, int width, int height)
    {
        if (format == RawFrameFormat.Yuv420p) mat.Create(height * 3 / 2, width, MatType.CV_8UC1);
        else mat.Create(height, width, MatType.CV_8UC3);
    }

    public static bool HasShape(Mat mat, RawFrameFormat format, int width, int height) => format == RawFrameFormat.Yuv420p
        ? mat.Type() == MatType.CV_8UC1 && mat.Width == width && mat.Height == height * 3 / 2
        : mat.Type() == MatType.CV_8UC3 && mat.Width == width && mat.Height == height;
}
