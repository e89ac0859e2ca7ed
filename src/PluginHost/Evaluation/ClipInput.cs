using Deid.Effect.Identities;
using Deid.Effect.Pipeline;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// A clip, analysed as `deid render` analyses it (detection, tracks, identities), up to a frame limit. Its frames
/// are decoded again for each later pass instead of being held: decoding is cheap next to the measures, memory is not.
/// A face's person is its identity, or its track when it has none.
/// </summary>
public sealed class ClipInput : IEvaluationInput
{
    private readonly FfmpegTools _tools;
    private readonly VideoInfo _source;
    private readonly ClipAnalysis _analysis;

    public ClipInput(FfmpegTools tools, VideoInfo source, EngineModels models, int? maxFrames, bool quiet, CancellationToken cancel)
    {
        _tools = tools;
        _source = source;
        Name = Path.GetFileName(source.Path);
        var limit = maxFrames ?? int.MaxValue;
        using (var analyzer = new ClipAnalyzer(models.Detector, models.Embedder, identities: new IdentityOptions()))
        {
            var progress = new ConsoleProgress("analyse", Math.Min(limit, source.FrameCount ?? limit), quiet);
            using (var frames = FrameSource.Open(tools, source))
            {
                while (analyzer.FramesSeen < limit && frames.Next() is { } frame)
                {
                    cancel.ThrowIfCancellationRequested();
                    analyzer.AddFrame(frame);
                    frames.Release(frame);
                    progress.Report(analyzer.FramesSeen);
                }
            }
            progress.Finish(analyzer.FramesSeen);
            if (analyzer.FramesSeen == 0) throw new VideoException($"{source.Path} has no video frames");
            _analysis = analyzer.Build();
        }

        ConfidentFaces = Enumerable.Range(0, _analysis.FrameCount)
            .SelectMany(f => _analysis.RegionsAt(f).Where(ConfidentFace.Is).Select(r => (f, r.TrackId))).ToList();
        Subject = CollectSamples(cancel);
    }

    public string Name { get; }

    public bool IsClip => true;

    public int FrameCount => _analysis.FrameCount;

    public EvaluationSubject Subject { get; }

    public IReadOnlyList<(int Frame, int TrackId)> ConfidentFaces { get; }

    public string IdentityKeyOf(FaceRegion face) =>
        _analysis.IdentityOf(face.TrackId) is { } id ? $"person{id}" : $"track{face.TrackId}";

    public IEnumerable<EvaluationFrame> Frames(CancellationToken cancel)
    {
        using var frames = FrameSource.Open(_tools, _source);
        for (var index = 0; index < FrameCount && frames.Next() is { } frame; index++)
        {
            cancel.ThrowIfCancellationRequested();
            yield return new EvaluationFrame(index, $"frame {index}", frame, _analysis.RegionsAt(index));
            frames.Release(frame);
        }
    }

    /// <summary>Each person's clearest observed faces (highest score), cropped in one decoding pass.</summary>
    private EvaluationSubject CollectSamples(CancellationToken cancel)
    {
        var wanted = Enumerable.Range(0, FrameCount)
            .SelectMany(f => _analysis.RegionsAt(f).Where(r => r.Observed).Select(r => (Frame: f, Region: r)))
            .GroupBy(x => IdentityKeyOf(x.Region))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(x => x.Region.Score).Take(EvaluationSubject.SamplesPerIdentity).ToList());
        var byFrame = wanted.SelectMany(p => p.Value.Select(x => (Key: p.Key, x.Frame, x.Region))).ToLookup(x => x.Frame);
        var samples = wanted.Keys.ToDictionary(k => k, _ => new List<IdentitySample>());
        foreach (var frame in Frames(cancel))
        {
            foreach (var (key, _, region) in byFrame[frame.Index]) samples[key].Add(IdentitySample.Crop(frame.Image, frame.Index, region));
        }
        return new EvaluationSubject(samples.ToDictionary(p => p.Key, p => (IReadOnlyList<IdentitySample>)p.Value));
    }

    public void Dispose() => Subject?.Dispose();
}
