namespace Deid.PluginHost.Serve.Caching;

/// <summary>The protocol's depth names and the one-byte codes the disk format stores for them (bytes per channel).</summary>
internal static class CachedPixelDepth
{
    public static byte ToCode(string? depth) => depth switch
    {
        "byte" => 1,
        "short" => 2,
        "float" => 4,
        _ => 0,
    };

    public static string? FromCode(byte code) => code switch
    {
        1 => "byte",
        2 => "short",
        4 => "float",
        _ => null,
    };
}
