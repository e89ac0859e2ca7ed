using Deid.Effect.Detection;
using Deid.Effect.Identities;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using System.Diagnostics;
using OpenCvSharp;

namespace Deid.Effect.Pipeline;

/// <summary>
/// The analysis pass: detects faces frame by frame as frames are handed in, links them into tracks as it goes,
/// ending every track at a cut (<see cref="SceneCutDetector"/>), keeps the best few faces of each track for the
/// recognizer, then builds the whole clip's tracks and identities so
/// the render pass can look ahead (gaps, track ends and who is who are known before any frame is written).
/// </summary>
public sealed class ClipAnalyzer : IDisposable
{
    private readonly IFaceDetector _detector;
    private readonly IFaceEmbedder? _embedder;
    private readonly TrackingOptions _tracking;
    private readonly IdentityOptions _identityOptions;
    private readonly TrackLinker _linker;
    private readonly TrackEmbeddingCollector _collector;
    private readonly ClipFingerprint _fingerprint = new();
    private readonly SceneCutDetector _cuts = new();
    private readonly List<int> _cutFrames = [];
    private readonly List<IReadOnlyList<FaceDetection>> _detections = [];
    private readonly Stopwatch _identityClock = new();
    private int _width;
    private int _height;

    /// <param name="embedder">Groups tracks into identities when given; without it every track stays anonymous.</param>
    public ClipAnalyzer(IFaceDetector detector, IFaceEmbedder? embedder = null, TrackingOptions? tracking = null, IdentityOptions? identities = null)
    {
        _detector = detector;
        _embedder = embedder;
        _tracking = tracking ?? new TrackingOptions();
        _identityOptions = identities ?? new IdentityOptions();
        _linker = new TrackLinker(_tracking);
        _collector = new TrackEmbeddingCollector(_identityOptions);
    }

    /// <summary>
    /// Changes whenever the same detections would be linked into other tracks, so analyses kept from before are made
    /// again (2: tracks and their holds end at cuts).
    /// </summary>
    public const int LinkingVersion = 2;

    public int FramesSeen => _detections.Count;

    public IReadOnlyList<FaceDetection> AddFrame(Mat bgrFrame)
    {
        var frame = _detections.Count;
        if (frame == 0) { _width = bgrFrame.Width; _height = bgrFrame.Height; }
        else if (bgrFrame.Width != _width || bgrFrame.Height != _height)
            throw new ArgumentException($"frame {frame} is {bgrFrame.Width}x{bgrFrame.Height}, the clip is {_width}x{_height}");

        var found = _detector.Detect(bgrFrame, frame);
        _detections.Add(found);
        if (_cuts.IsCut(bgrFrame))
        {
            _linker.Cut();
            _cutFrames.Add(frame);
        }
        var trackIds = _linker.Push(found);
        if (_embedder is not null)
        {
            _identityClock.Start();
            for (var i = 0; i < found.Count; i++) _collector.Offer(bgrFrame, frame, trackIds[i], found[i]);
            _identityClock.Stop();
        }
        _fingerprint.Offer(frame, bgrFrame);
        return found;
    }

    public ClipFingerprint FingerprintSamples => _fingerprint;

    /// <summary>The frames found to start a new shot so far (no track runs across one).</summary>
    public IReadOnlyList<int> CutFrames => _cutFrames;

    /// <summary>Time spent on identities (choosing, aligning and embedding faces, grouping), for benchmarks.</summary>
    public TimeSpan IdentityTime => _identityClock.Elapsed;

    public ClipAnalysis Build()
    {
        var builder = new TrackRegionBuilder(_tracking);
        foreach (var track in _linker.Tracks) builder.Build(track, _detections.Count, _cutFrames);

        IReadOnlyList<Identity> identities = [];
        if (_embedder is not null)
        {
            _identityClock.Start();
            var embedded = _collector.Embed(_embedder);
            var summaries = _linker.Tracks
                .Where(t => embedded.ContainsKey(t.Id))
                .Select(t => new IdentityGrouper.TrackSummary(t.Id, t.FirstObserved, t.LastObserved,
                    embedded[t.Id].Embeddings, embedded[t.Id].Thumbnails, embedded[t.Id].BestQuality) { Samples = embedded[t.Id].Samples })
                .ToList();
            identities = new IdentityGrouper(_identityOptions).Group(summaries);
            _identityClock.Stop();
        }
        return new ClipAnalysis(_width, _height, _detections, _linker.Tracks, identities, _fingerprint.Hash(_width, _height, _detections.Count), [.. _cutFrames]);
    }

    /// <summary>Tracks and regions from known detections, without identities (tests and tools).</summary>
    public static ClipAnalysis Build(IReadOnlyList<IReadOnlyList<FaceDetection>> detections, int width, int height, TrackingOptions tracking)
    {
        var tracks = TrackLinker.Link(detections, tracking);
        var builder = new TrackRegionBuilder(tracking);
        foreach (var track in tracks) builder.Build(track, detections.Count);
        return new ClipAnalysis(width, height, detections, tracks, [], string.Empty);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _cuts.Dispose();
    }
}
