using System.Globalization;
using Deid.Effect.Tests;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Tests.Cli;

/// <summary>
/// `deid bench` on a short cut of the Hamilton clip: each method's row against plain ffmpeg of the same file, replace
/// with the number of writings its read-back took; bad options fail with one line and measure nothing.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-bench-").FullName;

    private string Work => Path.Combine(_directory, "work");

    /// <summary>The first <paramref name="frames"/> frames of the Hamilton clip, with its sound.</summary>
    private string ShortClip(int frames)
    {
        var clip = Path.Combine(_directory, $"hamilton{frames}.mp4");
        var tools = FfmpegTools.Locate();
        var (exitCode, _, error) = tools.Run(tools.FfmpegPath, ["-nostdin", "-v", "error", "-y", "-i", SharedAssets.HamiltonClip,
            "-frames:v", frames.ToString(CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", "-shortest", clip]);
        Assert.True(exitCode == 0, error);
        return clip;
    }

    /// <summary>The cells of the table row of <paramref name="clip"/>.</summary>
    private static string[] RowOf(DeidCli.Result run, string clip)
    {
        Assert.True(run.ExitCode == 0, run.StandardError);
        var row = Assert.Single(run.StandardOutput.Split('\n'), line => line.StartsWith($"| {Path.GetFileName(clip)} ", StringComparison.Ordinal));
        return row.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();
    }

    private static double Seconds(string cell) => double.Parse(cell.Split(' ')[0], CultureInfo.InvariantCulture);

    [Fact]
    public void Replace_is_measured_with_the_writings_its_read_back_took()
    {
        var clip = ShortClip(12);
        var run = DeidCli.Run(["bench", "--clip", clip, "--runs", "1", "--method", "replace", "--seed", "3", "--work-dir", Work]);
        var cells = RowOf(run, clip);
        Assert.Contains("method replace, built-in transform, seed 3", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("| writings |", run.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(9, cells.Length);
        Assert.Equal("12", cells[1]);
        var (plain, deid) = (Seconds(cells[2]), Seconds(cells[3]));
        Assert.True(plain > 0 && deid > plain, $"plain ffmpeg {plain} s, deid {deid} s");
        Assert.True(Seconds(cells[4]) < deid, "the analysis took longer than the whole render");
        Assert.InRange(int.Parse(cells[6], CultureInfo.InvariantCulture), 1, 16);
        // The ratio comes from the unrounded times: within the rounding of the shown seconds.
        var ratio = double.Parse(cells[7].TrimEnd('x'), CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(ratio - deid / plain) <= 0.03 * ratio, $"ratio {ratio} against {deid} s / {plain} s");
        // The render really ran: its output is in the work folder, a video of the clip's length.
        var rendered = VideoProbe.Probe(FfmpegTools.Locate(), Path.Combine(Work, "deid.mp4"));
        Assert.Equal(12L, rendered.FrameCount);
    }

    [Fact]
    public void Blur_rows_have_no_writings_column()
    {
        var clip = ShortClip(6);
        var run = DeidCli.Run(["bench", "--clip", clip, "--runs", "1", "--work-dir", Work]);
        var cells = RowOf(run, clip);
        Assert.Equal(8, cells.Length);
        Assert.Equal("6", cells[1]);
        Assert.DoesNotContain("writings", run.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--runs", "0", "--runs must be at least 1")]
    [InlineData("--donors", "nobody-here", "donor folder")]
    public void Bad_options_fail_with_one_line_and_measure_nothing(string option, string value, string message)
    {
        var arguments = new List<string> { "bench", "--clip", SharedAssets.HamiltonClip, "--method", "replace", "--work-dir", Work, option };
        arguments.Add(option == "--donors" ? Path.Combine(_directory, value) : value);
        var run = DeidCli.Run(arguments);
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("deid: error:", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Work), "the bench started measuring");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
