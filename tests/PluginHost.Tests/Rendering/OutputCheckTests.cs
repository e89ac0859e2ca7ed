using Deid.Effect.Tests;
using Deid.PluginHost.Tests.Cli;
using Deid.PluginHost.Video;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Rendering;

/// <summary>
/// `deid render --check` reads the rendered file back and hides more every face it still shows near its person.
/// A blur at strength 0 (a radius of 3% of the face) leaves the Hamilton clip's people recognizable: rendered
/// unchecked, the judge of <see cref="HamiltonRenderTests"/> finds leaks; checked, the same render comes out with
/// its leaking faces filled, and says so; what the judge still finds is only what the check reported it could not
/// move (filled faces the recognizer places near their person all the same).
/// </summary>
public sealed class OutputCheckTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-check-").FullName;

    [Fact]
    public void Faces_a_weak_blur_left_recognizable_are_found_in_the_file_and_filled()
    {
        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, SharedAssets.HamiltonClip);

        var plainPath = Path.Combine(_directory, "weak.mp4");
        var plain = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", plainPath, "--method", "blur", "--strength", "0"]);
        Assert.True(plain.ExitCode == 0, $"deid render failed ({plain.ExitCode}): {plain.StandardError}");
        Assert.DoesNotContain("check:", plain.StandardError);
        var (_, confident, leakedBefore, untouchedBefore, _, _) = HamiltonRenderTests.JudgeEveryFrame(tools, source, plainPath, []);
        output.WriteLine($"unchecked: {leakedBefore} of {confident} confident faces leaked, {untouchedBefore} faces untouched");
        Assert.True(leakedBefore >= 10, $"a blur at strength 0 was expected to leave faces recognizable; {leakedBefore} of {confident} leaked");

        var checkedPath = Path.Combine(_directory, "weak-checked.mp4");
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", checkedPath, "--method", "blur", "--strength", "0", "--check"]);
        Assert.True(run.ExitCode == 0, $"deid render --check failed ({run.ExitCode}): {run.StandardError}");
        var lines = run.StandardError.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("check:") || l.StartsWith("wrote")).ToList();
        foreach (var line in lines) output.WriteLine(line);
        var summary = System.Text.RegularExpressions.Regex.Match(string.Join("\n", lines), @"check: (\d+) rendering\(s\); (\d+) faces hidden more");
        Assert.True(summary.Success, "no check summary in the log");
        var (passes, escalated) = (int.Parse(summary.Groups[1].Value), int.Parse(summary.Groups[2].Value));
        Assert.InRange(passes, 2, 4);
        Assert.True(escalated >= leakedBefore, $"{escalated} faces were hidden more, fewer than the {leakedBefore} that leaked");

        Assert.Equal(275, HamiltonRenderTests.CountFrames(tools, checkedPath));
        Assert.True(VideoProbe.Probe(tools, checkedPath).HasAudio, "the audio stream was lost");
        var report = new List<string>();
        var (_, confidentAfter, leakedAfter, untouched, _, _) = HamiltonRenderTests.JudgeEveryFrame(tools, source, checkedPath, report);
        foreach (var line in report.Where(l => l.StartsWith("leaked"))) output.WriteLine(line);
        output.WriteLine($"checked: {leakedAfter} of {confidentAfter} confident faces leaked, {untouched} faces untouched");
        // So weak a blur moves small doubtful faces by less than one level ("untouched" to the judge); the check
        // judges confident faces only, and never takes anything back.
        Assert.True(untouched <= untouchedBefore, $"{untouched} faces untouched after the check, {untouchedBefore} before");
        // What is left must be what the check owned up to: filled faces the recognizer still places near (it leans on
        // the hairline and head shape; a plain grey chip is 0.58 from the singer at frame 85).
        var stillNear = StillNearFrames(run.StandardError);
        Assert.True(stillNear.Count <= 2, $"{stillNear.Count} filled faces still near their person");
        foreach (var line in report.Where(l => l.StartsWith("leaked")))
            Assert.Contains(FrameOf(line), stillNear);
    }

    /// <summary>The frames of the filled faces the check's summary says are still near their person.</summary>
    internal static IReadOnlyList<int> StillNearFrames(string log)
    {
        var match = System.Text.RegularExpressions.Regex.Match(log, @"still places near their person \(frames ([0-9, ]+)\)");
        return match.Success ? match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(int.Parse).ToList() : [];
    }

    internal static int FrameOf(string judgeLine) => int.Parse(System.Text.RegularExpressions.Regex.Match(judgeLine, @"frame (\d+)").Groups[1].Value);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
