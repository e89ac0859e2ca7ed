using Deid.PluginHost.Video;

namespace Deid.PluginHost.Tests.Video;

public sealed class FfmpegToolsTests
{
    [Fact]
    public void Finds_ffmpeg_and_ffprobe_on_the_path()
    {
        var tools = FfmpegTools.Locate();
        Assert.True(File.Exists(tools.FfmpegPath));
        Assert.True(File.Exists(tools.FfprobePath));
        Assert.NotNull(tools.FfmpegMajorVersion);
    }

    [Fact]
    public void Missing_ffmpeg_on_the_path_names_the_fix()
    {
        var error = Assert.Throws<VideoException>(() => FfmpegTools.Locate(name => name == "PATH" ? "/nonexistent-bin" : null));
        Assert.Equal("ffmpeg not found on PATH; install ffmpeg (e.g. apt-get install ffmpeg) or set DEID_FFMPEG", error.Message);
    }

    [Fact]
    public void Missing_ffprobe_names_the_fix()
    {
        // An ffmpeg with no ffprobe beside it, and nothing on PATH.
        var directory = Directory.CreateTempSubdirectory("deid-tools-").FullName;
        try
        {
            var ffmpeg = Path.Combine(directory, "ffmpeg");
            File.WriteAllText(ffmpeg, "");
            var error = Assert.Throws<VideoException>(() => FfmpegTools.Locate(name => name switch
            {
                FfmpegTools.FfmpegVariable => ffmpeg,
                "PATH" => Path.Combine(directory, "empty"),
                _ => null,
            }));
            Assert.Equal("ffprobe not found on PATH; install ffmpeg (e.g. apt-get install ffmpeg) or set DEID_FFPROBE", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Bad_DEID_FFMPEG_is_reported()
    {
        var error = Assert.Throws<VideoException>(() => FfmpegTools.Locate(name => name == FfmpegTools.FfmpegVariable ? "/no/such/ffmpeg" : Environment.GetEnvironmentVariable(name)));
        Assert.Equal("ffmpeg not found at /no/such/ffmpeg (from DEID_FFMPEG); install ffmpeg (e.g. apt-get install ffmpeg) or fix DEID_FFMPEG", error.Message);
    }

    [Fact]
    public void Bad_DEID_FFPROBE_is_reported()
    {
        var error = Assert.Throws<VideoException>(() => FfmpegTools.Locate(name => name == FfmpegTools.FfprobeVariable ? "/no/such/ffprobe" : Environment.GetEnvironmentVariable(name)));
        Assert.StartsWith("ffprobe not found at /no/such/ffprobe (from DEID_FFPROBE)", error.Message);
    }

    [Fact]
    public void Constructor_checks_its_paths()
    {
        var ffprobe = FfmpegTools.Locate().FfprobePath;
        var error = Assert.Throws<VideoException>(() => new FfmpegTools("/no/such/ffmpeg", ffprobe));
        Assert.StartsWith("ffmpeg not found at /no/such/ffmpeg", error.Message);
    }
}
