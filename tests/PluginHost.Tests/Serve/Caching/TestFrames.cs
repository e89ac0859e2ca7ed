using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Tests.Serve.Caching;

/// <summary>Frames whose pixels follow from their key, so any frame read back can be checked against its key.</summary>
public static class TestFrames
{
    public const string Fingerprint = "c0ffee0123456789abcdef";

    public static FrameCacheKey Key(int frame, int settings = 0, string fingerprint = Fingerprint) =>
        new(fingerprint, frame, new UInt128((ulong)settings * 0x9E3779B97F4A7C15 + 1, (ulong)frame * 31 + 7));

    /// <summary>
    /// RGBA 8-bit pixels for <paramref name="key"/>: noise (LZ4 cannot shrink it, so the entry size is known: the
    /// header plus the raw bytes) or smooth gradients, which LZ4 shrinks.
    /// </summary>
    public static CachedFrame For(FrameCacheKey key, int width = 512, int height = 512, bool noise = true)
    {
        var pixels = new byte[width * height * 4];
        var random = new Random((int)(ulong)(key.Hash ^ (key.Hash >> 64)) ^ key.Frame);
        if (noise)
        {
            random.NextBytes(pixels);
        }
        else
        {
            var offset = random.Next(256);
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                {
                    var i = (y * width + x) * 4;
                    pixels[i] = (byte)(x * 255 / width + offset);
                    pixels[i + 1] = (byte)(y * 255 / height);
                    pixels[i + 2] = (byte)((x + y) / 8);
                    pixels[i + 3] = 255;
                }
        }
        return new CachedFrame(pixels, faces: key.Frame % 4, width, height, "byte");
    }

    /// <summary>The size a noise frame of 512x512 takes on disk: header plus raw pixels.</summary>
    public const long NoiseEntryBytes = 144 + 512 * 512 * 4;

    public static void AssertSame(CachedFrame expected, CachedFrame actual)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        Assert.Equal(expected.Depth, actual.Depth);
        Assert.Equal(expected.Faces, actual.Faces);
        Assert.True(expected.Pixels.AsSpan().SequenceEqual(actual.Pixels), "the pixels differ");
    }
}
