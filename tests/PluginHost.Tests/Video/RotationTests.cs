using Deid.Effect.Tests;
using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Video;

/// <summary>A phone clip stored sideways must come out of a render showing the same way up.</summary>
public sealed class RotationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-rotation-").FullName;
    private readonly FfmpegTools _tools = FfmpegTools.Locate();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(90)]
    [InlineData(180)]
    [InlineData(270)]
    public void Rotated_source_keeps_its_rotation(int rotation)
    {
        // On ffmpeg 5.1, a rotate tag set while stream-copying becomes a display matrix; ffprobe then reports the
        // same number (270 is printed as -90), which is the counter-clockwise convention of VideoInfo.Rotation.
        var rotated = Path.Combine(_directory, $"rotated{rotation}.mp4");
        var (exitCode, _, error) = _tools.Run(_tools.FfmpegPath,
            ["-hide_banner", "-v", "error", "-y", "-i", SharedAssets.HamiltonClip, "-t", "2", "-c", "copy", "-metadata:s:v:0", $"rotate={rotation}", rotated]);
        Assert.True(exitCode == 0, error);

        var source = VideoProbe.Probe(_tools, rotated);
        Assert.Equal(rotation, source.Rotation);
        Assert.Equal(640, source.Width);
        Assert.Equal(rotation == 180 ? 640 : 360, source.DisplayWidth);

        var output = Path.Combine(_directory, $"out{rotation}.mp4");
        long frames;
        using (var reader = new FrameReader(_tools, source))
        using (var writer = new FrameWriter(_tools, source, output))
        using (var frame = new Mat())
        {
            while (reader.Read(frame))
            {
                // Frames arrive as stored, not turned upright.
                Assert.Equal(new Size(640, 360), frame.Size());
                writer.Write(frame);
            }
            writer.Complete();
            frames = reader.FramesRead;
        }

        Assert.Empty(VideoVerifier.Compare(_tools, source, output, frames));
        var result = VideoProbe.Probe(_tools, output);
        Assert.Equal(rotation, result.Rotation);
        Assert.Equal(source.VideoStartPts, result.VideoStartPts);
        Assert.True(result.HasAudio);
        // The writer's intermediate (unrotated) file is gone.
        Assert.Equal(new[] { output, rotated }.Order(), Directory.GetFiles(_directory).Order());
    }
}
