using Deid.Effect.Tests;

namespace Deid.PluginHost.Tests.Cli;

/// <summary>
/// Bad input to `deid render`: a clear one-line error, a non-zero exit, and nothing written or left behind.
/// </summary>
public sealed class RenderErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-errors-").FullName;

    private string Output => Path.Combine(_directory, "out.mp4");

    private void AssertCleanFailure(DeidCli.Result run, string expectedInMessage)
    {
        Assert.NotEqual(0, run.ExitCode);
        var lines = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("deid: error:", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains(expectedInMessage, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.StandardError);
        Assert.False(File.Exists(Output), "an output file was written");
        Assert.Empty(Directory.GetFiles(_directory, "*deid-partial*"));
    }

    [Fact]
    public void Missing_input_file() =>
        AssertCleanFailure(DeidCli.Run(["render", Path.Combine(_directory, "nope.mp4"), "-o", Output]), "not found");

    [Fact]
    public void Check_and_no_check_together() =>
        AssertCleanFailure(DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output, "--check", "--no-check"]), "--check and --no-check");

    [Fact]
    public void A_donor_folder_that_does_not_exist() =>
        AssertCleanFailure(DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output, "--method", "replace", "--donors", Path.Combine(_directory, "nobody")]),
            "donor folder");

    [Fact]
    public void A_donor_folder_without_a_face()
    {
        var donors = Directory.CreateDirectory(Path.Combine(_directory, "donors")).FullName;
        File.WriteAllText(Path.Combine(donors, "portrait.jpg"), "not a picture\n");
        AssertCleanFailure(DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output, "--method", "replace", "--donors", donors]), "no usable face");
    }

    [Fact]
    public void A_text_file_that_is_not_a_video()
    {
        var fake = Path.Combine(_directory, "notes.mp4");
        File.WriteAllText(fake, "this is not a video\n");
        AssertCleanFailure(DeidCli.Run(["render", fake, "-o", Output]), "not a video");
    }

    [Fact]
    public void An_empty_file()
    {
        var empty = Path.Combine(_directory, "empty.mp4");
        File.WriteAllBytes(empty, []);
        AssertCleanFailure(DeidCli.Run(["render", empty, "-o", Output]), "empty.mp4");
    }

    [Fact]
    public void A_video_stream_with_zero_frames()
    {
        var zero = Path.Combine(_directory, "zero.mp4");
        var ffmpeg = System.Diagnostics.Process.Start("ffmpeg", ["-v", "error", "-y", "-i", SharedAssets.HamiltonClip, "-map", "0:v", "-frames:v", "0", "-c:v", "libx264", zero])!;
        ffmpeg.WaitForExit();
        Assert.True(File.Exists(zero), "could not build the zero-frame test file");
        AssertCleanFailure(DeidCli.Run(["render", zero, "-o", Output]), "frame");
    }

    [Fact]
    public void An_output_folder_that_does_not_exist()
    {
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Path.Combine(_directory, "missing", "out.mp4")]);
        AssertCleanFailure(run, "cannot write");
    }

    [Fact]
    public void Output_equal_to_input_is_refused()
    {
        var copy = Path.Combine(_directory, "clip.mp4");
        File.Copy(SharedAssets.HamiltonClip, copy);
        var before = File.ReadAllBytes(copy);
        var run = DeidCli.Run(["render", copy, "-o", copy]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("deid: error:", run.StandardError);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Missing_ffmpeg() =>
        AssertCleanFailure(
            DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output], new Dictionary<string, string> { ["DEID_FFMPEG"] = Path.Combine(_directory, "no-ffmpeg") }),
            "ffmpeg");

    [Fact]
    public void Missing_model()
    {
        var emptyModels = Directory.CreateDirectory(Path.Combine(_directory, "models")).FullName;
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output],
            new Dictionary<string, string> { ["DEID_MODELS"] = emptyModels, ["XDG_CACHE_HOME"] = _directory });
        AssertCleanFailure(run, "yunet_dynamic.onnx");
    }

    [Fact]
    public void Corrupt_model()
    {
        var models = Directory.CreateDirectory(Path.Combine(_directory, "models")).FullName;
        var bytes = File.ReadAllBytes(Path.Combine(SharedAssets.ModelsDirectory, "yunet_dynamic.onnx"));
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(models, "yunet_dynamic.onnx"), bytes);
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output],
            new Dictionary<string, string> { ["DEID_MODELS"] = models, ["XDG_CACHE_HOME"] = _directory });
        AssertCleanFailure(run, "SHA-256");
    }

    [Theory]
    [InlineData("--strength", "1.5")]
    [InlineData("--mask-scale", "0")]
    [InlineData("--threshold", "2")]
    [InlineData("--color", "green")]
    [InlineData("--max-writings", "0")]
    public void Bad_option_values(string option, string value) =>
        AssertCleanFailure(DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output, option, value]), option);

    /// <summary>
    /// A blur at strength 0 leaves faces of the Hamilton clip recognizable: the first writing, read back, has faces to
    /// hide more, and with one writing allowed the render runs out. Fail closed: nothing may be written then, not even
    /// the file that was read back, and the first writing's kept changes are gone too.
    /// </summary>
    [Fact]
    public void A_read_back_that_runs_out_of_writings_writes_nothing()
    {
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output, "--method", "blur", "--strength", "0", "--check", "--max-writings", "1"]);
        AssertCleanFailure(run, "after 1 renderings");
        Assert.Contains("--max-writings", run.StandardError);
        Assert.Contains("check: the rendered file shows", run.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void A_report_into_a_folder_that_does_not_exist() =>
        AssertCleanFailure(DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", Output, "--report", Path.Combine(_directory, "nowhere", "report.html")]), "--report");

    [Fact]
    public void Help_explains_every_option()
    {
        var run = DeidCli.Run(["render", "--help"]);
        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--output", "--method", "--strength", "--mask-scale", "--feather", "--color", "--threshold", "--device", "--preset", "--crf", "--quiet", "--check", "--no-check", "--max-writings", "--report" })
            Assert.Contains(option, run.StandardOutput);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
