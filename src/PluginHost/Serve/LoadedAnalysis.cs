using Deid.Effect.Pipeline;
using Deid.Effect.Tracking;

namespace Deid.PluginHost.Serve;

/// <summary>An analysis the server has read: the clip's faces, the thumbnails to check frames against, and the file's content hash.</summary>
public sealed record LoadedAnalysis(ClipAnalysis Analysis, ClipFingerprint Samples, ulong ContentId);
