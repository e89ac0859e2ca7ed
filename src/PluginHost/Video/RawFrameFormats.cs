using Deid.Effect.Imaging;
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

    /// <summary>
    /// Copies the pixels of <paramref name="area"/> (frame pixels; widened to even edges in yuv420p, so whole chroma
    /// samples move) from one raw frame to another of the same shape.
    /// </summary>
    public static unsafe void CopyArea(Mat from, Mat to, RawFrameFormat format, int width, int height, Rect area)
    {
        if (!HasShape(from, format, width, height) || !HasShape(to, format, width, height) || !from.IsContinuous() || !to.IsContinuous())
            throw new ArgumentException("both frames must be continuous and of the raw format's shape");
        area = area.Intersect(new Rect(0, 0, width, height));
        if (area.Width <= 0 || area.Height <= 0) return;
        if (format != RawFrameFormat.Yuv420p)
        {
            using var source = new Mat(from, area);
            using var target = new Mat(to, area);
            source.CopyTo(target);
            return;
        }
        var blocks = I420.WholeBlocks(area, width, height);
        int x1 = blocks.X, y1 = blocks.Y, x2 = blocks.Right, y2 = blocks.Bottom;
        var source8 = (byte*)from.Data;
        var target8 = (byte*)to.Data;
        for (var y = y1; y < y2; y++)
            new ReadOnlySpan<byte>(source8 + (long)y * width + x1, x2 - x1).CopyTo(new Span<byte>(target8 + (long)y * width + x1, x2 - x1));
        int chromaWidth = width / 2, chromaHeight = height / 2;
        foreach (var plane in new[] { (long)width * height, (long)width * height + (long)chromaWidth * chromaHeight })
        {
            for (var y = y1 / 2; y < y2 / 2; y++)
            {
                var offset = plane + (long)y * chromaWidth + x1 / 2;
                new ReadOnlySpan<byte>(source8 + offset, (x2 - x1) / 2).CopyTo(new Span<byte>(target8 + offset, (x2 - x1) / 2));
            }
        }
    }

    public static bool HasShape(Mat mat, RawFrameFormat format, int width, int height) => format == RawFrameFormat.Yuv420p
        ? mat.Type() == MatType.CV_8UC1 && mat.Width == width && mat.Height == height * 3 / 2
        : mat.Type() == MatType.CV_8UC3 && mat.Width == width && mat.Height == height;
}
