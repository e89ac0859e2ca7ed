namespace Deid.PluginHost.Serve.Caching;

/// <summary>What the cache folder holds: the frame entries and the saved analyses.</summary>
public sealed record CacheFolderStats(string Directory, DiskCacheStats Frames, int Analyses, long AnalysisBytes);
