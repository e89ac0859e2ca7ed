namespace Deid.PluginHost.Serve.Caching;

/// <summary>Where a cache lookup found its frame.</summary>
public enum CacheTier
{
    None,
    Memory,
    Disk,
}
