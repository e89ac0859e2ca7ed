namespace Deid.PluginHost.Serve.Caching;

/// <summary>How the pixels follow the header in a disk cache entry.</summary>
internal enum DiskPayloadEncoding : byte
{
    /// <summary>As they are: for content LZ4 cannot shrink (noise, some float frames), where it would only cost time.</summary>
    Raw = 0,

    /// <summary>One LZ4 block.</summary>
    Lz4 = 1,
}
