namespace Deid.PluginHost.Serve.Caching;

/// <summary>What the disk frame cache holds: entries and their bytes against the budget, and per clip fingerprint.</summary>
public sealed record DiskCacheStats(
    string Directory, int Entries, long Bytes, long BudgetBytes, IReadOnlyDictionary<string, FingerprintUsage> PerFingerprint);

/// <summary>The entries one clip (by content fingerprint) has in the disk frame cache.</summary>
public sealed record FingerprintUsage(int Entries, long Bytes);
