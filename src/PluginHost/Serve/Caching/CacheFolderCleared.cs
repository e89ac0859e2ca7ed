namespace Deid.PluginHost.Serve.Caching;

/// <summary>What clearing the cache folder removed.</summary>
public sealed record CacheFolderCleared(string Directory, RemovedFiles Frames, RemovedFiles Analyses);
