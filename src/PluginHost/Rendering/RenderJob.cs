using System.Diagnostics;
using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Models;
using Deid.Effect.Pipeline;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// `deid render` end to end: probe, analyse the whole clip (detect and track), render every frame with its faces
/// anonymized, verify the result against the source, and only then move it into place. Any failure leaves no
/// output file behind and never writes a frame whose faces were not processed.
/// </summary>
public static class RenderJob
{
    public static RenderResult Run(RenderRequest request, CancellationToken cancel)
    {
        var log = request.Quiet ? (Action<string>)(_ => { }) : message => Console.Error.WriteLine(message);
        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, request.InputPath);
        using var output = new AtomicOutput(request.OutputPath, request.InputPath);

        var sessions = new InferenceSessionFactory(request.Device, log);
        using var detector = new YuNetDetector(sessions, ModelLocator.Default(), request.Detector);
        // VideoInfo.Rotation turns counter-clockwise for display; the detector wants the clockwise turn.
        using var upright = new OrientedFaceDetector(detector, (360 - source.Rotation) % 360);

        var clock = Stopwatch.StartNew();
        var analysis = Analyze(tools, source, upright, request.Quiet, cancel);
        var analysisTime = clock.Elapsed;

        clock.Restart();
        var covered = Render(tools, source, analysis, request, output.TempPath, cancel);
        var renderTime = clock.Elapsed;

        var differences = VideoVerifier.Compare(tools, source, output.TempPath);
        if (differences.Count > 0)
            throw new VideoException($"the rendered file does not match the source ({string.Join("; ", differences)}); nothing was written");
        output.Commit();
        return new RenderResult(request.OutputPath, analysis.FrameCount, analysis.Tracks.Count, covered, analysisTime, renderTime);
    }

    /// <summary>The analysis pass: every frame through the detector, then tracks over the whole clip.</summary>
    public static ClipAnalysis Analyze(FfmpegTools tools, VideoInfo source, IFaceDetector detector, bool quiet, CancellationToken cancel)
    {
        var analyzer = new ClipAnalyzer(detector);
        var progress = new ConsoleProgress("analyse", source.FrameCount ?? 0, quiet);
        using (var frames = OpenFrames(tools, source))
        {
            while (frames.Next() is { } frame)
            {
                cancel.ThrowIfCancellationRequested();
                analyzer.AddFrame(frame);
                frames.Release(frame);
                progress.Report(analyzer.FramesSeen);
            }
        }
        progress.Finish(analyzer.FramesSeen);
        if (analyzer.FramesSeen == 0) throw new VideoException($"{source.Path} has no video frames");
        return analyzer.Build();
    }

    private static int Render(FfmpegTools tools, VideoInfo source, ClipAnalysis analysis, RenderRequest request, string temporaryPath, CancellationToken cancel)
    {
        var progress = new ConsoleProgress("render", analysis.FrameCount, request.Quiet);
        using var compositor = request.Anonymizer.CreateCompositor();
        using var writer = new FrameWriter(tools, source, temporaryPath, (request.Encode ?? new EncodeSettings()).For(source));
        var index = 0;
        var covered = 0;
        using (var frames = OpenFrames(tools, source))
        {
            while (frames.Next() is { } frame)
            {
                cancel.ThrowIfCancellationRequested();
                if (index >= analysis.FrameCount)
                    throw new VideoException($"{source.Path} decoded to more frames on the second pass than on the first ({analysis.FrameCount}); refusing to write frames that were not analysed");
                var regions = analysis.RegionsAt(index);
                compositor.Apply(frame, regions);
                covered += regions.Count;
                writer.Write(frame);
                frames.Release(frame);
                progress.Report(++index);
            }
        }
        if (index != analysis.FrameCount)
            throw new VideoException($"{source.Path} decoded to {index} frames on the second pass but {analysis.FrameCount} on the first; nothing was written");
        writer.Complete();
        progress.Finish(index);
        return covered;
    }

    private static FramePrefetcher OpenFrames(FfmpegTools tools, VideoInfo source)
    {
        var reader = new FrameReader(tools, source);
        return new FramePrefetcher(reader.Read, source.Width, source.Height, reader);
    }
}
