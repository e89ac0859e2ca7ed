using Deid.Effect.Tests;
using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Video;

/// <summary>Decode every frame, encode them again unchanged: the result must be the same video.</summary>
public sealed class FrameRoundTripTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-roundtrip-").FullName;
    private readonly FfmpegTools _tools = FfmpegTools.Locate();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Hamilton_clip_survives_a_round_trip()
    {
        var source = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);
        var finalPath = Path.Combine(_directory, "roundtrip.mp4");

        long framesRead;
        using (var output = new AtomicOutput(finalPath, source.Path))
        {
            Assert.EndsWith(".mp4", output.TempPath);
            Assert.Contains(AtomicOutput.PartialMarker, output.TempPath);
            framesRead = Copy(source, output.TempPath);
            Assert.Empty(VideoVerifier.Compare(_tools, source, output.TempPath, framesRead));
            output.Commit();
        }
        Assert.Equal(275, framesRead);
        Assert.Equal([finalPath], Directory.GetFiles(_directory));

        var result = VideoProbe.Probe(_tools, finalPath);
        Assert.True(result.HasAudio);
        Assert.Equal(source.TimeBase, result.TimeBase);
        Assert.Equal(source.VideoStartPts, result.VideoStartPts);
        Assert.InRange(result.VideoStartTime, source.VideoStartTime - source.FrameDuration, source.VideoStartTime + source.FrameDuration);
        Assert.Equal(source.AudioStartTime!.Value, result.AudioStartTime!.Value, 3);
        Assert.Equal("bt709", result.ColorSpace);
        Assert.Equal("tv", result.ColorRange);
        Assert.Equal("yuv420p", result.PixelFormat);

        var difference = MeanAbsoluteDifference(source, result);
        Assert.True(difference < 3, $"mean absolute difference {difference:0.00} levels");
    }

    [Fact]
    public void Verifier_reports_lost_frames_and_audio()
    {
        var source = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);
        var shorter = Path.Combine(_directory, "shorter.mp4");
        Ffmpeg("-i", SharedAssets.HamiltonClip, "-map", "0:v", "-frames:v", "200", "-c", "copy", shorter);

        var differences = VideoVerifier.Compare(_tools, source, shorter);

        Assert.Contains("frame count: source 275, output 200", differences);
        Assert.Contains("audio streams: source 1, output 0", differences);
        Assert.Contains(differences, d => d.StartsWith("duration:", StringComparison.Ordinal));
    }

    [Fact]
    public void Damaged_file_reports_the_frames_it_really_has()
    {
        // Index up front, media data cut off: the container promises 275 frames, the data holds fewer.
        var faststart = Path.Combine(_directory, "faststart.mp4");
        Ffmpeg("-i", SharedAssets.HamiltonClip, "-c", "copy", "-movflags", "+faststart", faststart);
        var damaged = Path.Combine(_directory, "damaged.mp4");
        File.WriteAllBytes(damaged, File.ReadAllBytes(faststart)[..300_000]);

        var info = VideoProbe.Probe(_tools, damaged);
        Assert.Equal(275, info.FrameCount);
        using var reader = new FrameReader(_tools, info);
        using var frame = new Mat();
        try
        {
            while (reader.Read(frame)) { }
        }
        catch (VideoException error)
        {
            // ffmpeg may also give up on the damage: then it must say so in one line.
            Assert.DoesNotContain('\n', error.Message);
        }
        Assert.InRange(reader.FramesRead, 1, 274);
    }

    [Fact]
    public void Reader_reuses_the_callers_mat()
    {
        var source = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);
        using var reader = new FrameReader(_tools, source);
        using var frame = new Mat(10, 10, MatType.CV_8UC1);

        Assert.True(reader.Read(frame));
        var data = frame.Data;
        Assert.Equal(new Size(640, 360), frame.Size());
        Assert.Equal(MatType.CV_8UC3, frame.Type());
        Assert.True(reader.Read(frame));
        Assert.Equal(data, frame.Data);
        Assert.Equal(2, reader.FramesRead);
    }

    [Fact]
    public void Encoder_failure_carries_ffmpegs_reason()
    {
        var source = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);
        var path = Path.Combine(_directory, "bad.mp4");
        using var frame = new Mat(source.Height, source.Width, MatType.CV_8UC3, Scalar.Gray);

        var error = Assert.Throws<VideoException>(() =>
        {
            using var writer = new FrameWriter(_tools, source, path, new EncodeSettings { Preset = "warp-speed" });
            for (var i = 0; i < 1000; i++) writer.Write(frame);
            writer.Complete();
        });

        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"encoding {path} failed", error.Message);
        Assert.Contains("preset", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Writer_rejects_a_frame_of_the_wrong_size()
    {
        var source = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);
        using var writer = new FrameWriter(_tools, source, Path.Combine(_directory, "x.mp4"));
        using var frame = new Mat(100, 100, MatType.CV_8UC3);
        Assert.Throws<ArgumentException>(() => writer.Write(frame));
    }

    [Fact]
    public void Encode_settings_keep_the_sources_chroma_layout_when_x264_can()
    {
        var source = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);
        Assert.Equal("yuv420p", new EncodeSettings().For(source).PixelFormat);
        Assert.Equal("yuv444p", new EncodeSettings().For(source with { PixelFormat = "yuv444p" }).PixelFormat);
        Assert.Equal("yuv420p", new EncodeSettings().For(source with { PixelFormat = "yuv420p10le" }).PixelFormat);
        Assert.Equal("yuv420p", new EncodeSettings().For(source with { PixelFormat = "yuvj420p" }).PixelFormat);
        Assert.Equal("yuv422p", new EncodeSettings { PixelFormat = "yuv422p" }.For(source).PixelFormat);
    }

    private long Copy(VideoInfo source, string target)
    {
        using var reader = new FrameReader(_tools, source);
        using var writer = new FrameWriter(_tools, source, target);
        using var frame = new Mat();
        while (reader.Read(frame)) writer.Write(frame);
        writer.Complete();
        Assert.Equal(reader.FramesRead, writer.FramesWritten);
        return reader.FramesRead;
    }

    /// <summary>Mean absolute BGR difference over all frames of two videos, decoded the same way.</summary>
    private double MeanAbsoluteDifference(VideoInfo a, VideoInfo b)
    {
        using var readerA = new FrameReader(_tools, a);
        using var readerB = new FrameReader(_tools, b);
        using var frameA = new Mat();
        using var frameB = new Mat();
        using var difference = new Mat();
        double total = 0;
        var frames = 0;
        while (readerA.Read(frameA))
        {
            Assert.True(readerB.Read(frameB), $"the round trip lost frame {frames + 1}");
            Cv2.Absdiff(frameA, frameB, difference);
            var mean = Cv2.Mean(difference);
            total += (mean.Val0 + mean.Val1 + mean.Val2) / 3;
            frames++;
        }
        Assert.False(readerB.Read(frameB), "the round trip gained frames");
        return total / frames;
    }

    private void Ffmpeg(params string[] arguments)
    {
        var (exitCode, _, error) = _tools.Run(_tools.FfmpegPath, ["-hide_banner", "-v", "error", "-y", .. arguments]);
        Assert.True(exitCode == 0, error);
    }
}
