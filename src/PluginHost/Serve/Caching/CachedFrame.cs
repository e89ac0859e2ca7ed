namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// A rendered frame as the host wants it back: <see cref="Pixels"/> are the output bytes in the host's format,
/// <see cref="Faces"/> how many faces were anonymized in it. The cache keeps the array it is given and hands the same
/// array back on a memory hit, so neither side may change it afterwards (that is what keeps a hit down to one copy).
/// </summary>
public sealed record CachedFrame
{
    public CachedFrame(byte[] pixels, int faces, int width, int height, string depth)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegative(faces);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (CachedPixelDepth.ToCode(depth) == 0) throw new ArgumentException($"depth must be byte, short or float, not '{depth}'", nameof(depth));
        Pixels = pixels;
        Faces = faces;
        Width = width;
        Height = height;
        Depth = depth;
    }

    public byte[] Pixels { get; }

    public int Faces { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary><c>byte</c>, <c>short</c> or <c>float</c>, as the bridge protocol names it.</summary>
    public string Depth { get; }
}
