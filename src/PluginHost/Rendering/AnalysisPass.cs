using Deid.Effect.Detection;
using Deid.Effect.Identities;
using Deid.Effect.Pipeline;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Rendering;

/// <summary>The analysis pass over a video file: every frame through the detector, then tracks and identities.</summary>
public static class AnalysisPass
{
    public static (ClipAnalysis Analysis, ClipFingerprint Samples) Run(FfmpegTools tools, VideoInfo source, IFaceDetector detector,
        IFaceEmbedder embedder, bool quiet, CancellationToken cancel) => Run(tools, source, detector, embedder, quiet, cancel, out _);

    public static (ClipAnalysis Analysis, ClipFingerprint Samples) Run(FfmpegTools tools, VideoInfo source, IFaceDetector detector,
        IFaceEmbedder embedder, bool quiet, CancellationToken cancel, out TimeSpan identityTime)
    {
        using var analyzer = new ClipAnalyzer(detector, embedder, identities: new IdentityOptions());
        var progress = new ConsoleProgress("analyse", source.FrameCount ?? 0, quiet);
        using (var frames = FrameSource.Open(tools, source))
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
        var analysis = analyzer.Build();
        identityTime = analyzer.IdentityTime;
        return (analysis, analyzer.FingerprintSamples);
    }
}
