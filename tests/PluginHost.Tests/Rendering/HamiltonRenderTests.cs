using Deid.Effect.Detection;
using Deid.Effect.Evaluation;
using Deid.Effect.Inference;
using Deid.Effect.Recognition;
using Deid.Effect.Tests;
using Deid.PluginHost.Tests.Cli;
using Deid.PluginHost.Video;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Rendering;

/// <summary>
/// `deid render` on the real Hamilton clip, once per method: the output keeps frame count, rate, size and audio,
/// and no face of the source is recognizable in it. Faces are found in the source by the project's detector and
/// judged in the output at the source's landmarks (see <see cref="IdentityLeakJudge"/> for the rule).
/// </summary>
public sealed class HamiltonRenderTests(ITestOutputHelper output) : IDisposable
{
    private const float ConfidentFace = 0.9f;

    /// <summary>Confident faces at most this far from their person are listed in the report: how near the line the clip sits.</summary>
    private const float NearDistance = 0.65f;

    private readonly string _directory = Directory.CreateTempSubdirectory("deid-render-").FullName;

    [Theory]
    [InlineData("blur")]
    [InlineData("pixelate")]
    [InlineData("solid")]
    public void Rendered_clip_keeps_its_timing_and_audio_and_hides_every_face(string method)
    {
        var rendered = Path.Combine(_directory, $"hamilton_{method}.mp4");
        var run = DeidCli.Run(["render", SharedAssets.HamiltonClip, "-o", rendered, "--method", method]);
        Assert.True(run.ExitCode == 0, $"deid render failed ({run.ExitCode}): {run.StandardError}");
        Assert.Contains("render", run.StandardError);

        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, SharedAssets.HamiltonClip);
        var result = VideoProbe.Probe(tools, rendered);
        Assert.Equal((source.Width, source.Height), (result.Width, result.Height));
        Assert.Equal(source.FrameRate, result.FrameRate);
        Assert.True(result.HasAudio, "the audio stream was lost");
        Assert.Equal(275, CountFrames(tools, rendered));
        Assert.InRange(result.Duration, source.Duration - 0.05, source.Duration + 0.05);

        var report = new List<string>();
        var (faces, confident, leaked, untouched, distances, _) = JudgeEveryFrame(tools, source, rendered, report);
        foreach (var line in report) output.WriteLine(line);
        output.WriteLine($"{method}: {faces} source faces in {source.FrameCount} frames, {confident} confident; " +
            $"confident leaked {leaked}, untouched {untouched}; distance median {distances.Order().ElementAt(distances.Count / 2):0.000}, min {distances.Min():0.000}");
        Assert.True(confident > 150, $"expected the clip's confident faces (187 at the default threshold), found {confident}");
        Assert.Equal(0, untouched);
        // The recognizer is an imperfect judge: in frame 85 a face painted over completely in solid grey still comes
        // out 0.57 from its person (it leans on hair and head shape), nearer than the blurred reference. A fully
        // destroyed (whole-frame blurred) clip scores 0.8% under the same rule, so up to 1% of confident faces may be
        // flagged; each of them is covered (not untouched, asserted above).
        Assert.True(leaked <= confident / 100, $"{leaked} of {confident} confident faces are still recognizable");
    }

    /// <summary>
    /// Every face the detector finds in the source, judged in the rendered file: how near its person it came, whether
    /// it was left untouched, and for the confident ones whether the detector still finds a face at the same place
    /// (IoU of at least 0.3, as `deid eval` counts a face still natural: a blur or a fill is no face, a new face is).
    /// </summary>
    internal static (int Faces, int Confident, int Leaked, int Untouched, List<float> Distances, int StillFaces) JudgeEveryFrame(FfmpegTools tools, VideoInfo source, string rendered, List<string> report)
    {
        var sessions = new InferenceSessionFactory(ExecutionDevice.Cpu);
        var models = SharedAssets.Models();
        using var detector = new YuNetDetector(sessions, models);
        using var embedder = new ResNetFaceEmbedder(sessions, models);
        var judge = new IdentityLeakJudge(embedder);

        using var originalReader = new FrameReader(tools, source);
        using var renderedReader = new FrameReader(tools, VideoProbe.Probe(tools, rendered));
        using var original = new Mat(source.Height, source.Width, MatType.CV_8UC3);
        using var anonymized = new Mat(source.Height, source.Width, MatType.CV_8UC3);
        int faces = 0, confident = 0, leaked = 0, untouched = 0, stillFaces = 0, frame = 0;
        var distances = new List<float>();
        while (originalReader.Read(original))
        {
            Assert.True(renderedReader.Read(anonymized), "the rendered clip has fewer frames than the source");
            var detections = detector.Detect(original);
            var verdicts = judge.Judge(original, anonymized, detections.Select(d => d.Landmarks).ToList());
            var found = detector.Detect(anonymized);
            for (var i = 0; i < verdicts.Count; i++)
            {
                faces++;
                var box = detections[i].Box;
                var description = $"frame {frame} face at ({box.X:0},{box.Y:0}) {box.Width:0}x{box.Height:0} score {detections[i].Score:0.00}: distance {verdicts[i].Distance:0.000}, blurred reference {verdicts[i].ReferenceDistance:0.000}";
                if (verdicts[i].Untouched) { untouched++; report.Add("untouched " + description); }
                if (detections[i].Score < ConfidentFace) continue;
                confident++;
                if (found.Any(d => NonMaxSuppression.IntersectionOverUnion(d.Box, box) >= 0.3f)) stillFaces++;
                distances.Add(verdicts[i].Distance);
                if (verdicts[i].Distance <= NearDistance) report.Add("near " + description);
                if (verdicts[i].Leaked) { leaked++; report.Add("leaked " + description); }
            }
            frame++;
        }
        return (faces, confident, leaked, untouched, distances, stillFaces);
    }

    internal static int CountFrames(FfmpegTools tools, string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo(tools.FfprobePath) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path })
            start.ArgumentList.Add(argument);
        using var probe = System.Diagnostics.Process.Start(start)!;
        var text = probe.StandardOutput.ReadToEnd();
        probe.WaitForExit();
        return int.Parse(text.Trim().TrimEnd(','));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
