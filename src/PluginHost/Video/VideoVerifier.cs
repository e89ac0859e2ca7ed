using System.Globalization;

namespace Deid.PluginHost.Video;

/// <summary>
/// Checks a rendered file against its source after the fact, so that a render which lost frames, audio, rotation
/// or timing fails loudly instead of shipping a subtly different video.
/// </summary>
public static class VideoVerifier
{
    /// <summary>
    /// The ways <paramref name="outputPath"/> differs from <paramref name="source"/>, one readable line each; empty
    /// when they agree. Compared: frame count (output packets, counted without decoding), stored size, frame rate,
    /// number of audio streams, rotation, video duration, and video and audio start times (within one frame).
    /// </summary>
    /// <param name="sourceFrames">
    /// The number of frames the source really has, when known better than its container says (the reader's
    /// <see cref="FrameReader.FramesRead"/>); otherwise the source's declared count, or its packets counted.
    /// </param>
    public static IReadOnlyList<string> Compare(FfmpegTools tools, VideoInfo source, string outputPath, long? sourceFrames = null)
    {
        var output = VideoProbe.Probe(tools, outputPath);
        var differences = new List<string>();
        var tolerance = source.FrameDuration;

        var expectedFrames = sourceFrames ?? source.FrameCount ?? VideoProbe.CountPackets(tools, source.Path, source.VideoStreamIndex);
        var outputFrames = VideoProbe.CountPackets(tools, outputPath, output.VideoStreamIndex);
        if (outputFrames != expectedFrames) differences.Add(Line($"frame count: source {expectedFrames}, output {outputFrames}"));

        if (output.Width != source.Width || output.Height != source.Height)
        {
            differences.Add(Line($"size: source {source.Width}x{source.Height}, output {output.Width}x{output.Height}"));
        }
        // Cross-multiplied, so 30000/1001 and 2997/100 are not confused, nor 30/1 and 60/2 told apart.
        if ((long)source.FrameRate.Numerator * output.FrameRate.Denominator != (long)output.FrameRate.Numerator * source.FrameRate.Denominator)
        {
            differences.Add($"frame rate: source {source.FrameRateText}, output {output.FrameRateText}");
        }
        if (output.AudioStreamCount != source.AudioStreamCount)
        {
            differences.Add(Line($"audio streams: source {source.AudioStreamCount}, output {output.AudioStreamCount}"));
        }
        if (output.Rotation != source.Rotation) differences.Add(Line($"rotation: source {source.Rotation}, output {output.Rotation}"));
        if (Math.Abs(output.Duration - source.Duration) > tolerance)
        {
            differences.Add(Line($"duration: source {source.Duration:0.###} s, output {output.Duration:0.###} s"));
        }
        if (Math.Abs(output.VideoStartTime - source.VideoStartTime) > tolerance)
        {
            differences.Add(Line($"video start: source {source.VideoStartTime:0.######} s, output {output.VideoStartTime:0.######} s"));
        }
        if (source.AudioStartTime is double sourceAudio && output.AudioStartTime is double outputAudio && Math.Abs(outputAudio - sourceAudio) > tolerance)
        {
            differences.Add(Line($"audio start: source {sourceAudio:0.######} s, output {outputAudio:0.######} s"));
        }
        return differences;
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
