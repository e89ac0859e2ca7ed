using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Video;

/// <summary>Copying one area of a raw frame into another: exactly that area moves, in every plane.</summary>
public sealed class RawFrameAreaTests
{
    private const int Width = 64, Height = 48;

    [Fact]
    public void A_bgr_area_moves_and_nothing_else()
    {
        using var from = Filled(RawFrameFormat.Bgr24, 200);
        using var to = Filled(RawFrameFormat.Bgr24, 10);
        var area = new Rect(7, 5, 13, 9);
        RawFrameFormats.CopyArea(from, to, RawFrameFormat.Bgr24, Width, Height, area);

        using var inside = new Mat(to, area);
        Assert.Equal(200.0, inside.Mean().Val0, 6);
        Assert.Equal(area.Width * area.Height * 3, Cv2.CountNonZero(to.Reshape(1).GreaterThan(100)));
    }

    /// <summary>An odd-edged area widens to whole 2x2 blocks, so the chroma samples it covers come along, and no other.</summary>
    [Fact]
    public void A_yuv420p_area_moves_with_its_chroma_in_whole_blocks()
    {
        using var from = Filled(RawFrameFormat.Yuv420p, 200);
        using var to = Filled(RawFrameFormat.Yuv420p, 10);
        RawFrameFormats.CopyArea(from, to, RawFrameFormat.Yuv420p, Width, Height, new Rect(7, 5, 13, 9));

        // Widened to x 6..20, y 4..14: 14 x 10 luma samples and 7 x 5 of each chroma plane.
        using var luma = new Mat(to, new Rect(0, 0, Width, Height));
        Assert.Equal(14 * 10, Cv2.CountNonZero(luma.GreaterThan(100)));
        using var lumaArea = new Mat(to, new Rect(6, 4, 14, 10));
        Assert.Equal(200.0, lumaArea.Mean().Val0, 6);
        using var chroma = new Mat(to, new Rect(0, Height, Width, Height / 2));
        Assert.Equal(2 * 7 * 5, Cv2.CountNonZero(chroma.GreaterThan(100)));
        var bytes = new byte[Width * Height * 3 / 2];
        System.Runtime.InteropServices.Marshal.Copy(to.Data, bytes, 0, bytes.Length);
        foreach (var plane in new[] { Width * Height, Width * Height + Width / 2 * (Height / 2) })
            for (var y = 2; y < 7; y++)
                for (var x = 3; x < 10; x++)
                    Assert.Equal(200, bytes[plane + y * (Width / 2) + x]);
    }

    [Fact]
    public void Frames_of_another_shape_are_refused()
    {
        using var from = Filled(RawFrameFormat.Yuv420p, 200);
        using var to = Filled(RawFrameFormat.Bgr24, 10);
        Assert.Throws<ArgumentException>(() => RawFrameFormats.CopyArea(from, to, RawFrameFormat.Yuv420p, Width, Height, new Rect(0, 0, 4, 4)));
    }

    private static Mat Filled(RawFrameFormat format, byte value)
    {
        var mat = new Mat();
        RawFrameFormats.Shape(mat, format, Width, Height);
        mat.SetTo(Scalar.All(value));
        return mat;
    }
}
