namespace Deid.PluginHost.Serve.Caching;

/// <summary>What a clear removed: how many entries (frames or analyses) and their bytes.</summary>
public sealed record RemovedFiles(int Count, long Bytes)
{
    public static readonly RemovedFiles None = new(0, 0);
}
