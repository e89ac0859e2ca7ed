using System.Diagnostics;
using Deid.Effect.Tests;
using Deid.PluginHost.Tests.Cli;
using Deid.PluginHost.Video;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Rendering;

/// <summary>
/// `deid render --method replace` on the Hamilton clip: every frame is written, no face is left untouched, and no
/// confident face of the source is within the recognizer's match distance (0.6) of its rendered replacement but
/// those the render's read-back reported as filled and still near.
/// </summary>
public sealed class HamiltonReplaceRenderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-replace-").FullName;

    [Fact]
    public void Replaced_clip_keeps_its_frames_and_hides_its_people()
    {
        var rendered = Path.Combine(_directory, "hamilton_replace.mp4");
        var clock = Stopwatch.StartNew();
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", rendered, "--method", "replace", "--seed", "3"], timeoutSeconds: 900);
        var seconds = clock.Elapsed.TotalSeconds;
        Assert.True(run.ExitCode == 0, $"deid render failed ({run.ExitCode}): {run.StandardError}");
        foreach (var line in run.StandardError.Split('\n').Where(l => l.StartsWith("replace:") || l.StartsWith("wrote"))) output.WriteLine(line.Trim());

        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, SharedAssets.HamiltonClip);
        Assert.Equal(275, HamiltonRenderTests.CountFrames(tools, rendered));
        Assert.True(VideoProbe.Probe(tools, rendered).HasAudio, "the audio stream was lost");

        var report = new List<string>();
        var (faces, confident, leaked, untouched, distances, _) = HamiltonRenderTests.JudgeEveryFrame(tools, source, rendered, report);
        var matched = distances.Count(d => d <= 0.6f);
        foreach (var line in report) output.WriteLine(line);
        output.WriteLine($"replace: rendered in {seconds:0} s; {faces} source faces, {confident} confident; within 0.6 of the original {matched}; " +
            $"fair rule: leaked {leaked}, untouched {untouched}; distance mean {distances.Average():0.000} median {distances.Order().ElementAt(distances.Count / 2):0.000} min {distances.Min():0.000}");
        Assert.True(confident > 150, $"expected the clip's confident faces, found {confident}");
        Assert.Equal(0, untouched);
        AssertOnlyReportedFacesAreNear(run.StandardError, report, maxStillNear: 3);
    }

    /// <summary>
    /// The same with new faces from donors (the shared photos as the donor folder; the lead of the clip is among them
    /// and must not lend his own features), judged after x264 encoding at the faces the detector finds again, at three
    /// seeds: which faces sit near the line changes with the seed, and one seed alone hid how many can come out within
    /// 0.6 once encoded. Measured (seeds 3 / 1 / 5): 561 / 564 / 554 of 950 regions get a new face (the others are too
    /// small, doubtful detections and boxes carried past a cut, which get no donor face, or faces the recognizer still
    /// matched); read back, 5 / 4 / 7 faces the file showed within 0.62 are hidden more, in 2 / 2 / 3 writings, and no
    /// confident face is left within 0.6 (nearest 0.624 / 0.629 / 0.621; up to one may be reported filled and still
    /// near: the lead singer at frame 85, whom the recognizer places 0.58 from himself as it places a plain grey chip).
    /// The detector finds 96.8 / 95.2 / 93.5 % of the 186 confident faces in the file as faces (97.8 / 95.7 / 91.4 %
    /// before a track kept the other new face it had to take); 91.4 / 94.6 / 87.6 %
    /// when replace still foretold the encoder (it blurred 54-72 faces, often for one frame between new faces).
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    [InlineData(5)]
    public void Donor_faces_replace_most_faces_of_the_clip_and_hide_its_people(int seed)
    {
        var rendered = Path.Combine(_directory, $"hamilton_donors_{seed}.mp4");
        var redaction = Path.Combine(_directory, $"hamilton_donors_{seed}.html");
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", rendered, "--method", "replace", "--seed", seed.ToString(),
            "--donors", SharedAssets.Media("photos"), "--report", redaction], timeoutSeconds: 900);
        Assert.True(run.ExitCode == 0, $"deid render failed ({run.ExitCode}): {run.StandardError}");
        var lines = run.StandardError.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("replace:") || l.StartsWith("wrote")).ToList();
        foreach (var line in lines) output.WriteLine(line);
        Assert.Contains(lines, l => l.Contains("donor faces of"));
        var statistics = System.Text.RegularExpressions.Regex.Match(string.Join("\n", lines), @"(\d+) faces \(Replaced (\d+), ReplacedByAlternate (\d+)");
        Assert.True(statistics.Success, "no replace statistics in the log");
        var all = int.Parse(statistics.Groups[1].Value);
        var replaced = int.Parse(statistics.Groups[2].Value) + int.Parse(statistics.Groups[3].Value);
        Assert.True(replaced >= all * 4 / 10, $"only {replaced} of {all} faces got a new face; the others were blurred");
        AssertReportAgreesWithLog(redaction, run.StandardError);

        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, SharedAssets.HamiltonClip);
        Assert.Equal(275, HamiltonRenderTests.CountFrames(tools, rendered));
        var report = new List<string>();
        var (_, confident, leaked, untouched, distances, stillFaces) = HamiltonRenderTests.JudgeEveryFrame(tools, source, rendered, report);
        var matched = distances.Count(d => d <= 0.6f);
        foreach (var line in report) output.WriteLine(line);
        output.WriteLine($"donors, seed {seed}: {confident} confident faces; within 0.6 of the original {matched}; fair rule: leaked {leaked}, untouched {untouched}; " +
            $"distance mean {distances.Average():0.000} min {distances.Min():0.000}");
        Assert.Equal(0, untouched);
        AssertOnlyReportedFacesAreNear(run.StandardError, report, maxStillNear: 1);
        output.WriteLine($"donors, seed {seed}: still a face in the file {stillFaces} of {confident} confident faces ({100.0 * stillFaces / confident:0.0} %)");
        Assert.True(stillFaces >= confident * 0.89, $"only {stillFaces} of {confident} confident faces are still a face in the file; the others were blurred or filled");
    }

    /// <summary>
    /// The redaction report counts what the log says the render did: every hidden face once, the read-back's faces as
    /// hidden more, the others as the method left them, and shows faces cropped from the file for every person.
    /// </summary>
    private void AssertReportAgreesWithLog(string reportPath, string log)
    {
        Assert.True(File.Exists(reportPath), "no redaction report was written");
        var html = File.ReadAllText(reportPath);
        var json = Reports.RedactionReportTests.Embedded(html);
        int Total(string key) => (int)json["totals"]![key]!;
        var covered = int.Parse(System.Text.RegularExpressions.Regex.Match(log, @"(\d+) faces covered").Groups[1].Value);
        var check = System.Text.RegularExpressions.Regex.Match(log, @"check: (\d+) rendering\(s\); (\d+) faces hidden more");
        Assert.True(check.Success, "no check summary in the log");
        var statistics = System.Text.RegularExpressions.Regex.Match(log, @"Replaced (\d+), ReplacedByAlternate (\d+)");
        Assert.True(statistics.Success, "no replace statistics in the log");
        var (passes, escalated) = (int.Parse(check.Groups[1].Value), int.Parse(check.Groups[2].Value));
        var replaced = int.Parse(statistics.Groups[1].Value) + int.Parse(statistics.Groups[2].Value);
        var (newFaces, hiddenMore) = (Total("newFace") + Total("otherNewFace"), Total("blurredMore") + Total("filled"));
        output.WriteLine($"report: {newFaces} new faces, {Total("blurred")} blurred instead, {hiddenMore} hidden more, {Total("visible")} visible; log: {covered} covered, {replaced} replaced, {escalated} hidden more");

        Assert.Equal(0, Total("visible"));
        Assert.Equal(0, Total("hidden"));
        Assert.Equal(covered, newFaces + Total("blurred") + hiddenMore);
        Assert.Equal(escalated, hiddenMore);
        Assert.Equal(passes, (int)json["writings"]!);
        // A face the read-back hid more was a new face or a blur before it: the new faces left are the replaced less some of those.
        Assert.InRange(newFaces, replaced - hiddenMore, replaced);
        foreach (var row in json["rows"]!)
            Assert.True((int)row["thumbnails"]! > 0, $"no face of {row["identity"]} was cropped from the file");
        Assert.Contains("data:image/png;base64,", html);
    }

    /// <summary>
    /// Read back (on by default with replace), the rendered file keeps no confident face within 0.6 of its person
    /// that the check did not report as filled and still near.
    /// </summary>
    internal static void AssertOnlyReportedFacesAreNear(string log, IReadOnlyList<string> report, int maxStillNear)
    {
        Assert.Matches(@"check: \d+ rendering\(s\)", log);
        var stillNear = OutputCheckTests.StillNearFrames(log);
        Assert.True(stillNear.Count <= maxStillNear, $"{stillNear.Count} filled faces are still near their person (at most {maxStillNear} expected)");
        var within = report.Where(l => l.StartsWith("near") || l.StartsWith("leaked"))
            .Where(l => float.Parse(System.Text.RegularExpressions.Regex.Match(l, @"distance (\d\.\d+)").Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture) <= 0.6f)
            .Select(OutputCheckTests.FrameOf).Distinct();
        foreach (var frame in within)
            Assert.True(stillNear.Contains(frame), $"a face at frame {frame} is within 0.6 of its person and the check did not report it");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
