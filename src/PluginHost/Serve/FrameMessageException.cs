namespace Deid.PluginHost.Serve;

/// <summary>A request that cannot be served: malformed, or naming something that does not exist. Answered with an error reply.</summary>
public sealed class FrameMessageException(string message) : Exception(message);
