using OpenCvSharp;

namespace Deid.PluginHost.Serve;

/// <summary>
/// Converts between a frame slot (packed RGBA, bottom-up, 8/16-bit or float) and the engine's 8-bit BGR top-down
/// frame. Writing back touches only the pixels the engine changed, so everything outside the anonymized faces keeps
/// the host's full precision and its alpha.
/// </summary>
public static class SlotPixels
{
    public static unsafe void ToBgr(byte* slot, int width, int height, PixelDepth depth, Mat bgr)
    {
        bgr.Create(height, width, MatType.CV_8UC3);
        var rowBytes = (long)width * 4 * (int)depth;
        for (var y = 0; y < height; y++)
        {
            var source = slot + (height - 1 - y) * rowBytes;
            var target = (byte*)bgr.Ptr(y);
            for (var x = 0; x < width; x++)
            {
                target[3 * x] = Read(source, 4 * x + 2, depth);
                target[3 * x + 1] = Read(source, 4 * x + 1, depth);
                target[3 * x + 2] = Read(source, 4 * x, depth);
            }
        }
    }

    /// <summary>Writes back the pixels where <paramref name="processed"/> differs from <paramref name="original"/>; returns how many.</summary>
    public static unsafe long WriteChanged(byte* slot, int width, int height, PixelDepth depth, Mat original, Mat processed)
    {
        var rowBytes = (long)width * 4 * (int)depth;
        long changed = 0;
        for (var y = 0; y < height; y++)
        {
            var target = slot + (height - 1 - y) * rowBytes;
            var before = (byte*)original.Ptr(y);
            var after = (byte*)processed.Ptr(y);
            for (var x = 0; x < width; x++)
            {
                var i = 3 * x;
                if (before[i] == after[i] && before[i + 1] == after[i + 1] && before[i + 2] == after[i + 2]) continue;
                Write(target, 4 * x, depth, after[i + 2]);
                Write(target, 4 * x + 1, depth, after[i + 1]);
                Write(target, 4 * x + 2, depth, after[i]);
                changed++;
            }
        }
        return changed;
    }

    private static unsafe byte Read(byte* row, int channel, PixelDepth depth) => depth switch
    {
        PixelDepth.Byte => row[channel],
        PixelDepth.Short => (byte)((((ushort*)row)[channel] * 255 + 32767) / 65535),
        _ => (byte)Math.Clamp((int)MathF.Round(((float*)row)[channel] * 255f), 0, 255),
    };

    private static unsafe void Write(byte* row, int channel, PixelDepth depth, byte value)
    {
        switch (depth)
        {
            case PixelDepth.Byte: row[channel] = value; break;
            case PixelDepth.Short: ((ushort*)row)[channel] = (ushort)(value * 257); break;
            default: ((float*)row)[channel] = value / 255f; break;
        }
    }
}
