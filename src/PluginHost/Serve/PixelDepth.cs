namespace Deid.PluginHost.Serve;

/// <summary>Bit depth of the RGBA pixels in a frame slot, as OpenFX names it.</summary>
public enum PixelDepth
{
    Byte = 1,
    Short = 2,
    Float = 4,
}

public static class PixelDepths
{
    public static PixelDepth Parse(string text) => text switch
    {
        "byte" => PixelDepth.Byte,
        "short" => PixelDepth.Short,
        "float" => PixelDepth.Float,
        _ => throw new FrameMessageException($"depth must be byte, short or float, not '{text}'"),
    };

    public static long FrameBytes(int width, int height, PixelDepth depth) => (long)width * height * 4 * (int)depth;
}
