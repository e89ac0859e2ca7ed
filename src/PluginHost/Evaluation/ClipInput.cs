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
        Subject = CollectSamples();
    }

    public string Name { get; }

    /// <summary>The clip's analysis: detections, tracks and identities, with each identity's samples.</summary>
    public ClipAnalysis Analysis => _analysis;

    public bool IsClip => true;

    public int FrameCount => _analysis.FrameCount;

    public EvaluationSubject Subject { get; }

    public IReadOnlyList<(int Frame, int TrackId)> ConfidentFaces { get; }

    /// <summary>The key `deid render` plans a face's new face under: the same key and samples give the same plan.</summary>
    public string IdentityKeyOf(FaceRegion face) => ReplacePlanning.IdentityKey(_analysis, face.TrackId);

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

    /// <summary>
    /// Each known person's faces as the analysis keeps them: the faces `deid render` and the editor plan replace on,
    /// so the new faces measured are the ones they write. A track of nobody known has none: replace plans it on its
    /// first face, as a file render does (<see cref="ReplaceMethod"/>). Decoded as render decodes them
    /// (<see cref="ReplacePlanning.Samples"/>).
    /// </summary>
    private EvaluationSubject CollectSamples()
    {
        var samples = new Dictionary<string, IReadOnlyList<IdentitySample>>();
        foreach (var identity in _analysis.Identities)
        {
            // A person whose kept faces all fail to decode is planned as render plans them: on their first face.
            var faces = ReplacePlanning.Samples(identity);
            if (faces.Count > 0) samples[ReplacePlanning.IdentityKey(_analysis, identity.TrackIds[0])] = faces.Select(face => new IdentitySample(face.Frame, face.Region)).ToList();
        }
        var people = Enumerable.Range(0, _analysis.FrameCount).SelectMany(f => _analysis.RegionsAt(f)).Select(IdentityKeyOf).Distinct().Count();
        return new EvaluationSubject(samples, people);
    }

    public void Dispose() => Subject?.Dispose();
}
