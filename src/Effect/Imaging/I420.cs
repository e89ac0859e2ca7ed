using OpenCvSharp;

namespace Deid.Effect.Imaging;

/// <summary>Conversions of 8-bit 4:2:0 frames (one Mat: Y, then U and V at half size) with a given matrix and range.</summary>
public static class I420
{
    /// <summary>Converts <paramref name="area"/> (even-aligned) of the frame to BGR, with chroma taken from each 2x2 block.</summary>
    /// <summary>
    /// <paramref name="area"/> widened to even edges within the frame, so that it holds whole 2x2 blocks: whole chroma
    /// samples in yuv420p.
    /// </summary>
    public static Rect WholeBlocks(Rect area, int width, int height)
    {
        var x1 = Math.Max(0, area.X) & ~1;
        var y1 = Math.Max(0, area.Y) & ~1;
        var x2 = Math.Min(width, (area.Right + 1) & ~1);
        var y2 = Math.Min(height, (area.Bottom + 1) & ~1);
        return new Rect(x1, y1, Math.Max(0, x2 - x1), Math.Max(0, y2 - y1));
    }

    public static unsafe void ToBgr(Mat planes, int width, int height, Rect area, YuvMatrix matrix, Mat bgr)
    {
        bgr.Create(area.Height, area.Width, MatType.CV_8UC3);
        var data = (byte*)planes.Data;
        var uPlane = data + width * height;
        var vPlane = uPlane + width / 2 * (height / 2);
        var (yScale, yOffset, cScale) = Scales(matrix);
        for (var y = 0; y < area.Height; y++)
        {
            var fy = area.Y + y;
            var yRow = data + fy * width;
            var uRow = uPlane + fy / 2 * (width / 2);
            var vRow = vPlane + fy / 2 * (width / 2);
            var target = (byte*)bgr.Ptr(y);
            for (var x = 0; x < area.Width; x++)
            {
                var fx = area.X + x;
                var luma = (yRow[fx] - yOffset) / yScale;
                var cb = (uRow[fx / 2] - 128.0) / cScale;
                var cr = (vRow[fx / 2] - 128.0) / cScale;
                var r = luma + 2 * (1 - matrix.Kr) * cr;
                var b = luma + 2 * (1 - matrix.Kb) * cb;
                var g = (luma - matrix.Kr * r - matrix.Kb * b) / matrix.Kg;
                target[3 * x] = ToByte(b * 255);
                target[3 * x + 1] = ToByte(g * 255);
                target[3 * x + 2] = ToByte(r * 255);
            }
        }
    }

    /// <summary>Luma scale and offset, and chroma scale, of the matrix's range.</summary>
    public static (double YScale, double YOffset, double CScale) Scales(YuvMatrix matrix) =>
        matrix.FullRange ? (255.0, 0.0, 255.0) : (219.0, 16.0, 224.0);

    public static byte ToByte(double value) => (byte)Math.Clamp((int)Math.Round(value), 0, 255);
}
