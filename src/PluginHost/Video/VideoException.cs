namespace Deid.PluginHost.Video;

/// <summary>
/// A video could not be read or written: a missing or unreadable input, an output that cannot be created, a missing
/// ffmpeg, or an ffmpeg run that failed. The message is one line meant for the user, naming the file and the cause.
/// </summary>
public sealed class VideoException(string message, Exception? inner = null) : Exception(message, inner);
