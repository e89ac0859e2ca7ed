using Deid.Effect.Tests;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Tests.Video;

public sealed class VideoProbeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-probe-").FullName;
    private readonly FfmpegTools _tools = FfmpegTools.Locate();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Hamilton_clip_reports_its_known_facts()
    {
        var info = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);

        Assert.Equal(640, info.Width);
        Assert.Equal(360, info.Height);
        Assert.Equal((2997, 100), info.FrameRate);
        Assert.Equal(29.97, info.Fps, 3);
        Assert.Equal((1, 11988), info.TimeBase);
        Assert.Equal(275, info.FrameCount);
        Assert.Equal(275 * 100 / 2997.0, info.Duration, 3);
        Assert.Equal(0.852, info.VideoStartTime, 3);
        Assert.Equal(10214, info.VideoStartPts);
        Assert.Equal(0.008, info.AudioStartTime!.Value, 3);
        Assert.Equal(0, info.Rotation);
        Assert.True(info.HasAudio);
        Assert.Equal(1, info.AudioStreamCount);
        Assert.Equal("yuv420p", info.PixelFormat);
        Assert.Equal("bt709", info.ColorSpace);
        Assert.Equal("bt709", info.ColorPrimaries);
        Assert.Equal("bt709", info.ColorTransfer);
        Assert.Equal("tv", info.ColorRange);
        Assert.Equal("bt709", info.ConversionMatrix);
        Assert.False(info.IsFullRange);
        Assert.Contains("mp4", info.FormatName);
        Assert.Equal("h264", info.VideoCodec);
        Assert.Equal(0, info.VideoStreamIndex);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = Path.Combine(_directory, "nope.mp4");
        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, path));
        Assert.Equal($"input file not found: {path}", error.Message);
    }

    [Fact]
    public void Directory_is_not_a_video()
    {
        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, _directory));
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public void Empty_file_says_it_is_empty()
    {
        var path = Path.Combine(_directory, "empty.mp4");
        File.WriteAllBytes(path, []);
        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, path));
        Assert.Equal($"{path} is not a video: the file is empty (0 bytes)", error.Message);
    }

    [Fact]
    public void Text_file_named_mp4_reports_ffprobes_reason()
    {
        var path = Path.Combine(_directory, "notes.mp4");
        File.WriteAllText(path, "these are not the frames you are looking for\n");
        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, path));
        AssertOneLine(error);
        Assert.StartsWith($"{path} is not a video: ", error.Message);
        Assert.Contains("Invalid data found when processing input", error.Message);
    }

    [Fact]
    public void Audio_only_file_has_no_video_stream()
    {
        var path = Path.Combine(_directory, "tone.mp4");
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", path);
        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, path));
        Assert.Equal($"{path} is not a video: ffprobe found no video stream", error.Message);
    }

    [Fact]
    public void Truncated_mp4_without_its_index_errors_clearly()
    {
        // The clip keeps its moov at the end, so its first 20 KB hold media data but no index.
        var path = Path.Combine(_directory, "truncated.mp4");
        using (var source = File.OpenRead(SharedAssets.HamiltonClip))
        using (var target = File.Create(path))
        {
            var head = new byte[20 * 1024];
            source.ReadExactly(head);
            target.Write(head);
        }
        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, path));
        AssertOneLine(error);
        Assert.StartsWith($"{path} is not a video: ", error.Message);
        Assert.Contains("moov atom not found", error.Message);
    }

    [Fact]
    public void Encode_of_zero_frames_is_not_a_video()
    {
        var path = Path.Combine(_directory, "zero.mp4");
        Ffmpeg("-i", SharedAssets.HamiltonClip, "-map", "0:v", "-frames:v", "0", "-c:v", "libx264", path);
        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, path));
        Assert.Equal($"{path} is not a video: it holds no streams, so no video frames", error.Message);
    }

    [Fact]
    public void Index_without_media_data_has_no_decodable_frame()
    {
        // The container declares 275 frames, but the file ends right after its index.
        var faststart = Path.Combine(_directory, "faststart.mp4");
        Ffmpeg("-i", SharedAssets.HamiltonClip, "-c", "copy", "-movflags", "+faststart", faststart);
        var path = Path.Combine(_directory, "header-only.mp4");
        var bytes = File.ReadAllBytes(faststart);
        File.WriteAllBytes(path, bytes[..(EndOfBox(bytes, "moov") + 16)]);

        var error = Assert.Throws<VideoException>(() => VideoProbe.Probe(_tools, path));
        Assert.Equal($"{path} is not a usable video: its video stream has no decodable frame", error.Message);
    }

    [Theory]
    [InlineData(-90, 270)]
    [InlineData(90, 90)]
    [InlineData(180, 180)]
    [InlineData(-180, 180)]
    [InlineData(0, 0)]
    public void Display_matrix_rotation_is_normalised_counter_clockwise(int ffprobeRotation, int expected)
    {
        var json = StreamJson($"\"side_data_list\": [{{ \"side_data_type\": \"Display Matrix\", \"rotation\": {ffprobeRotation} }}]");
        Assert.Equal(expected, VideoProbe.Parse("x.mp4", json).Rotation);
    }

    [Theory]
    [InlineData("90", 270)]
    [InlineData("270", 90)]
    [InlineData("180", 180)]
    public void Legacy_clockwise_rotate_tag_is_converted(string tag, int expected)
    {
        var json = StreamJson($"\"tags\": {{ \"rotate\": \"{tag}\" }}");
        Assert.Equal(expected, VideoProbe.Parse("x.mp4", json).Rotation);
    }

    [Fact]
    public void Cover_art_is_not_a_video_stream()
    {
        const string json = """
            { "streams": [
                { "index": 0, "codec_type": "audio", "codec_name": "mp3" },
                { "index": 1, "codec_type": "video", "codec_name": "mjpeg", "width": 500, "height": 500,
                  "r_frame_rate": "90000/1", "disposition": { "attached_pic": 1 } } ],
              "format": { "format_name": "mp3" } }
            """;
        var error = Assert.Throws<VideoException>(() => VideoProbe.Parse("song.mp3", json));
        Assert.Equal("song.mp3 is not a video: ffprobe found no video stream", error.Message);
    }

    [Fact]
    public void Untagged_colours_follow_what_players_assume()
    {
        var sd = VideoProbe.Parse("x.mp4", StreamJson("\"pix_fmt\": \"yuvj420p\""));
        Assert.Null(sd.ColorSpace);
        Assert.Equal("bt601", sd.ConversionMatrix);
        Assert.True(sd.IsFullRange);
        var hd = VideoProbe.Parse("x.mp4", StreamJson("\"pix_fmt\": \"yuv420p\"").Replace("\"width\": 640", "\"width\": 1920").Replace("\"height\": 360", "\"height\": 1080"));
        Assert.Equal("bt709", hd.ConversionMatrix);
        Assert.False(hd.IsFullRange);
    }

    [Fact]
    public void Frame_rate_falls_back_to_average_and_missing_count_is_null()
    {
        var info = VideoProbe.Parse("x.mkv", StreamJson("\"avg_frame_rate\": \"25/1\"").Replace("\"r_frame_rate\": \"30/1\"", "\"r_frame_rate\": \"0/0\""));
        Assert.Equal((25, 1), info.FrameRate);
        Assert.Null(info.FrameCount);
    }

    private static string StreamJson(string extra) => $$"""
        { "streams": [ { "index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360,
                         "r_frame_rate": "30/1", "time_base": "1/15360", {{extra}} } ],
          "format": { "format_name": "matroska,webm", "duration": "1.000000" } }
        """;

    private static int EndOfBox(byte[] file, string type)
    {
        for (var offset = 0; offset + 8 <= file.Length;)
        {
            var size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset));
            if (System.Text.Encoding.ASCII.GetString(file, offset + 4, 4) == type) return offset + size;
            offset += size;
        }
        throw new InvalidOperationException($"no {type} box");
    }

    private static void AssertOneLine(Exception error) => Assert.DoesNotContain('\n', error.Message);

    private void Ffmpeg(params string[] arguments)
    {
        var (exitCode, _, error) = _tools.Run(_tools.FfmpegPath, ["-hide_banner", "-v", "error", "-y", .. arguments]);
        Assert.True(exitCode == 0, error);
    }
}
