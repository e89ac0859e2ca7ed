using System.Collections.Concurrent;
using Deid.Effect.Analysis;
using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Landmarks;
using Deid.Effect.Models;
using Deid.Effect.Pipeline;
using Deid.Effect.Selection;
using Deid.Effect.Tracking;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Serve.Caching;
using System.IO.Hashing;
using OpenCvSharp;

namespace Deid.PluginHost.Serve;

/// <summary>
/// What `deid serve` does with requests: renders frames in shared-memory slots and analyses clips frame by frame.
/// Models load on first use (a missing model is then an error reply, not a server that will not start); analyses
/// are kept by path. One frame is processed at a time: the models use every core already.
/// </summary>
public sealed class ServeEngine(FrameSlots slots, CacheSettings cacheSettings, ExecutionDevice device, Action<string> log,
    string? donorFolder = null) : IDisposable
{
    private readonly string analysisDirectory = cacheSettings.AnalysesDirectory;
    /// <summary>How many frames ahead of the playhead, in its direction of travel, read-ahead brings into memory.</summary>
    private const int ReadAheadFrames = 12;

    private sealed class AnalysisSession(ClipAnalyzer analyzer, string clip, int frames, double fps, int width, int height, string? savePath)
    {
        public string? SavePath { get; } = savePath;
        public ClipAnalyzer Analyzer { get; } = analyzer;
        public string Clip { get; } = clip;
        public int Frames { get; } = frames;
        public double Fps { get; } = fps;
        public int Width { get; } = width;
        public int Height { get; } = height;
    }

    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, AnalysisSession> _sessions = new();
    private readonly Dictionary<string, LoadedAnalysis> _analyses = [];
    private readonly Dictionary<AnonymizerSettings, FaceCompositor> _compositors = [];
    private readonly List<((string Analysis, AnonymizerSettings Settings) Key, FaceCompositor Compositor)> _replaceCompositors = [];
    private const int MaxReplaceCompositors = 2;
    private const int MaxWindow = 15;
    private const int MaxRememberedFrames = 256;

    private readonly Mat _original = new();
    private readonly Mat _processed = new();
    private readonly Mat _neighbour = new();
    private readonly Dictionary<ulong, IReadOnlyList<FaceDetection>> _detections = [];
    // Room for a long burst of renders to queue for the disk (the arrays are shared with the memory tier; the writer
    // also caps the bytes waiting).
    private readonly TieredFrameCache _cache = new(cacheSettings, writeQueueCapacity: 1024);
    private readonly Dictionary<string, int> _playheads = [];
    private readonly Dictionary<(string Fingerprint, int Frame, UInt128 Settings), (FrameCacheKey Key, ulong Content)> _candidates = [];
    private const int MaxCandidates = 200_000;
    private EngineModels? _models;
    private long _rendered;
    private long _renderedAhead;
    private AheadRenderer<AheadJob>? _ahead;

    private string? _donorFingerprint;
    private DonorBank? _donorBank;
    private long _donorBankLoads;
    private ReplacementModels? _replacementModels;
    private long _replacementModelLoads;

    /// <summary>
    /// The donor folder's faces, loaded on the first replace render and shared by every replace compositor of the
    /// process: a new seed or analysis in the editor then costs no reload of the folder.
    /// </summary>
    private DonorBank? SharedDonors
    {
        get
        {
            if (donorFolder is null || _donorBank is not null) return _donorBank;
            _donorBank = DonorBank.Load(donorFolder, SharedReplacementModels.Detector!, SharedReplacementModels.Landmarker, SharedReplacementModels.Embedder);
            _donorBankLoads++;
            return _donorBank;
        }
    }

    /// <summary>
    /// Replace's landmark, recognizer and detector models, loaded on the first replace render and shared by every
    /// replace compositor of the process (each loaded its own before); frames render one at a time, under the gate.
    /// </summary>
    private ReplacementModels SharedReplacementModels
    {
        get
        {
            if (_replacementModels is not null) return _replacementModels;
            _replacementModels = ReplacementModels.Load(Models.Sessions, Models.Locator, withDetector: true);
            _replacementModelLoads++;
            return _replacementModels;
        }
    }

    /// <summary>The donor folder's fingerprint, taken once: the folder is read once per serve process too.</summary>
    private string? DonorFingerprint => donorFolder is null ? null : _donorFingerprint ??= DonorFolderFingerprint.Of(donorFolder);

    private EngineModels Models => _models ??= new EngineModels(device, new DetectorOptions(), rotation: 0, log);

    public unsafe IReadOnlyDictionary<string, object?> Render(MessageFields request)
    {
        var width = request.Int32("width", 1, 16384);
        var height = request.Int32("height", 1, 16384);
        var depth = PixelDepths.Parse(request.String("depth"));
        var frame = request.Int32("frame", 0, int.MaxValue);
        var windowFirst = request.Has("windowFirst") ? request.Int32("windowFirst", 0, int.MaxValue) : frame;
        var windowCount = request.Has("windowCount") ? request.Int32("windowCount", 1, MaxWindow) : 1;
        if (frame < windowFirst || frame >= windowFirst + windowCount)
            throw new FrameMessageException($"frame {frame} is outside its window {windowFirst}..{windowFirst + windowCount - 1}");
        var settings = new AnonymizerSettings
        {
            Method = request.String("method") switch
            {
                "blur" => AnonymizationMethod.Blur,
                "pixelate" => AnonymizationMethod.Pixelate,
                "solid" => AnonymizationMethod.Solid,
                "replace" => AnonymizationMethod.Replace,
                var other => throw new FrameMessageException($"unknown method '{other}'"),
            },
            Replacement = new ReplacementOptions
            {
                Seed = request.Has("seed") ? request.Int32("seed", 0, int.MaxValue) : 0,
                DonorFolder = donorFolder,
                DonorFingerprint = DonorFingerprint,
            },
            Strength = (float)request.Number("strength", 0, 1),
            Mask = new MaskOptions { Scale = (float)request.Number("maskScale", 0.5, 3), Feather = (float)request.Number("feather", 0, 1) },
        };
        var threshold = (float)request.Number("threshold", 0.05, 0.99);
        var policy = ParsePolicy(request.String("policy"));
        var flags = ParseIdentityFlags(request.Map("identities"));
        var showBoxes = request.Boolean("showBoxes");
        var analysisPath = request.String("analysis");
        var fingerprint = request.Has("fingerprint") ? FrameResultKey.CheckFingerprint(request.String("fingerprint")) : "";
        var content = request.Has("content") ? FrameResultKey.ParseContent(request.String("content")) : (ulong?)null;
        var probe = request.Has("probe") && request.Boolean("probe");
        var prefetch = request.Has("prefetch") && request.Boolean("prefetch");
        if ((probe || prefetch) && (analysisPath.Length == 0 || windowCount != 1))
            throw new FrameMessageException("a probing or prefetching render needs an analysis and carries no window");
        if (prefetch && content is null) throw new FrameMessageException("a prefetching render needs the frame's content hash");
        var frameBytes = PixelDepths.FrameBytes(width, height, depth);
        if (frameBytes * windowCount > int.MaxValue) throw new FrameMessageException("the window of frames is too large");

        // Frames the host asks for go first: the render-ahead thread waits while any is waiting or rendering.
        using var foreground = prefetch ? default : Ahead.Foreground();
        lock (_gate)
        {
            var loaded = analysisPath.Length > 0 ? LoadAnalysis(analysisPath) : null;
            var analysis = loaded?.Analysis;
            if (analysis is not null && (analysis.Width != width || analysis.Height != height))
                throw new FrameMessageException($"the analysis is for {analysis.Width}x{analysis.Height} frames, this frame is {width}x{height}: analyse the clip again");
            if (analysis is not null && frame >= analysis.FrameCount)
                throw new FrameMessageException($"frame {frame} is past the analysed clip ({analysis.FrameCount} frames): analyse the clip again");

            var selection = new AnonymizationSelection(policy, flags.ToDictionary(p => p.Key, p => (IReadOnlyList<SelectionKey>)[new SelectionKey(0, p.Value)]));
            IReadOnlyList<FaceRegion>? analysedRegions = analysis?.RegionsAt(frame);
            // What this frame's result depends on. With an analysis: the source pixels (by the plugin's hash), the
            // settings, and who among the people in this frame is hidden — so changing the keys of someone absent
            // from the frame keeps it. Without one: the whole window of frames the detector looks at.
            var description = FrameResultKey.Describe(width, height, depth, settings, policy, threshold, showBoxes, frame - windowFirst);
            UInt128? analysedKey = null;
            UInt128? candidateKey = null;
            if (loaded is not null)
            {
                var hidden = analysedRegions!.Select(r => (r.TrackId, selection.IsAnonymized(analysis!.IdentityOf(r.TrackId), 0))).ToList();
                if (content is { } hash) analysedKey = FrameResultKey.WithAnalysis(description, hash, loaded.ContentId, hidden);
                // Everything but the source pixels: names the frame rendered last with these settings, whatever its source.
                candidateKey = FrameResultKey.WithAnalysis(description, 0, loaded.ContentId, hidden);
            }
            var frameName = (fingerprint, frame, candidateKey ?? 0);

            return slots.Use(request.String("slot"), frameBytes * windowCount, pointer =>
            {
                var target = (byte*)pointer + (frame - windowFirst) * frameBytes;
                if (probe && content is null)
                {
                    // A probe sent before the plugin has hashed the source: answer with the frame rendered last for this
                    // clip, frame, settings and selection, and its source's hash; the plugin uses it only if the hashes match.
                    if (_candidates.TryGetValue(frameName, out var candidate) && _cache.TryGet(candidate.Key, out var known, out _) &&
                        known.Pixels.Length == frameBytes)
                    {
                        known.Pixels.CopyTo(new Span<byte>(target, known.Pixels.Length));
                        FollowPlayhead(request.String("session"), fingerprint, frame);
                        return new Dictionary<string, object?>
                        {
                            ["type"] = "candidate", ["content"] = candidate.Content.ToString("x16"), ["faces"] = known.Faces,
                            ["analysed"] = true, ["cached"] = true,
                        };
                    }
                    return new Dictionary<string, object?> { ["type"] = "miss" };
                }
                var key = analysedKey ?? FrameResultKey.WithWindow(description,
                    new ReadOnlySpan<byte>((void*)pointer, (int)(frameBytes * windowCount)), loaded?.ContentId ?? 0);
                // Without a fingerprint from the plugin, frames are still found by content, in this server's life.
                var cacheKey = new FrameCacheKey(fingerprint.Length > 0 ? fingerprint : "unnamed", frame, key);
                if (prefetch)
                {
                    // Not counted as a hit or miss: the host has not asked for this frame yet.
                    if (!_cache.Contains(cacheKey))
                        Ahead.Queue(new AheadJob(cacheKey, new ReadOnlySpan<byte>(target, (int)frameBytes).ToArray(), new FrameContext(frame, width,
                            height, depth, settings, selection, threshold, showBoxes, analysisPath, loaded, analysedRegions, 1, 0), frameName, content!.Value));
                    return new Dictionary<string, object?> { ["type"] = "queued" };
                }
                FollowPlayhead(request.String("session"), fingerprint, frame);
                if (_cache.TryGet(cacheKey, out var cached, out _) && cached.Pixels.Length == frameBytes)
                {
                    if (content is { } found && candidateKey is not null) RememberCandidate(frameName, cacheKey, found);
                    cached.Pixels.CopyTo(new Span<byte>(target, cached.Pixels.Length));
                    return Rendered(cached.Faces, analysis is not null, fromCache: true);
                }
                if (probe) return new Dictionary<string, object?> { ["type"] = "miss" };
                var context = new FrameContext(frame, width, height, depth, settings, selection, threshold, showBoxes, analysisPath, loaded,
                    analysedRegions, windowCount, frame - windowFirst);
                Ahead.Drop(cacheKey);
                var faces = RenderFrame(target, (byte*)pointer, context);
                _rendered++;
                if (content is { } rendered && candidateKey is not null) RememberCandidate(frameName, cacheKey, rendered);
                _cache.Add(cacheKey, new CachedFrame(new ReadOnlySpan<byte>(target, (int)frameBytes).ToArray(), faces, width, height, request.String("depth")));
                return Rendered(faces, analysis is not null, fromCache: false);
            });
        }
    }

    /// <summary>Everything a frame's render needs besides its pixels.</summary>
    private sealed record FrameContext(int Frame, int Width, int Height, PixelDepth Depth, AnonymizerSettings Settings,
        AnonymizationSelection Selection, float Threshold, bool ShowBoxes, string AnalysisPath, LoadedAnalysis? Loaded,
        IReadOnlyList<FaceRegion>? AnalysedRegions, int WindowCount, int Position);

    /// <summary>Renders one frame in place at <paramref name="target"/> (within <paramref name="window"/> when there is no analysis); returns the faces hidden.</summary>
    private unsafe int RenderFrame(byte* target, byte* window, FrameContext c)
    {
        var analysis = c.Loaded?.Analysis;
        SlotPixels.ToBgr(target, c.Width, c.Height, c.Depth, _original);
        if (c.Loaded is not null && !c.Loaded.Samples.Matches(c.Frame, _original))
            throw new FrameMessageException($"frame {c.Frame} is not the frame that was analysed: the analysis belongs to another clip (or the clip changed upstream); analyse it again");
        _original.CopyTo(_processed);
        IReadOnlyList<FaceRegion> regions;
        Func<FaceRegion, int?> identityOf;
        if (analysis is not null)
        {
            regions = c.AnalysedRegions!;
            identityOf = r => analysis.IdentityOf(r.TrackId);
        }
        else
        {
            // No analysis yet: the frames around this one, tracked, so a face missed here but seen next door is covered.
            regions = WindowRegions(window, c.Width, c.Height, c.Depth, c.WindowCount, c.Position, c.Threshold);
            identityOf = _ => null;
        }
        var hidden = regions.Where(r => c.Selection.IsAnonymized(identityOf(r), 0)).ToList();
        (c.Settings.Method == AnonymizationMethod.Replace ? ReplaceCompositor(c.Settings, c.AnalysisPath, analysis) : Compositor(c.Settings)).Apply(_processed, hidden);
        if (c.ShowBoxes) DrawBoxes(_processed, regions, identityOf);
        SlotPixels.WriteChanged(target, c.Width, c.Height, c.Depth, _original, _processed);
        return hidden.Count;
    }

    private sealed record AheadJob(FrameCacheKey Key, byte[] Pixels, FrameContext Context, (string, int, UInt128) Name, ulong Content);

    /// <summary>The frame rendered last for a clip, frame, settings and selection, with its source's hash (see the early probe).</summary>
    private void RememberCandidate((string, int, UInt128) name, FrameCacheKey key, ulong content)
    {
        if (_candidates.Count >= MaxCandidates) _candidates.Clear();
        _candidates[name] = (key, content);
    }

    /// <summary>Frames the plugin sent ahead of the playhead, rendered when no host request waits.</summary>
    private AheadRenderer<AheadJob> Ahead => LazyInitializer.EnsureInitialized(ref _ahead, () => new AheadRenderer<AheadJob>(RenderAhead, job => job.Key, log));

    private unsafe void RenderAhead(AheadJob job)
    {
        lock (_gate)
        {
            if (Ahead.Stopping || _cache.Contains(job.Key)) return;
            int faces;
            fixed (byte* pixels = job.Pixels) faces = RenderFrame(pixels, pixels, job.Context);
            _renderedAhead++;
            RememberCandidate(job.Name, job.Key, job.Content);
            _cache.Add(job.Key, new CachedFrame(job.Pixels, faces, job.Context.Width, job.Context.Height, job.Context.Depth.ToString().ToLowerInvariant()));
        }
    }

    /// <summary>Detections of each window frame (remembered by content, so playback detects each frame once), tracked.</summary>
    private unsafe List<FaceRegion> WindowRegions(byte* window, int width, int height, PixelDepth depth, int count, int position, float threshold)
    {
        var frameBytes = PixelDepths.FrameBytes(width, height, depth);
        var detections = new List<IReadOnlyList<FaceDetection>>(count);
        for (var i = 0; i < count; i++)
        {
            var pixels = window + i * frameBytes;
            var contentKey = XxHash3.HashToUInt64(new ReadOnlySpan<byte>(pixels, (int)frameBytes));
            if (!_detections.TryGetValue(contentKey, out var found))
            {
                if (i == position) found = Models.Detector.Detect(_original);
                else
                {
                    SlotPixels.ToBgr(pixels, width, height, depth, _neighbour);
                    found = Models.Detector.Detect(_neighbour);
                }
                if (_detections.Count >= MaxRememberedFrames) _detections.Clear();
                _detections[contentKey] = found;
            }
            detections.Add(found.Where(d => d.Score >= threshold).ToList());
        }
        var local = ClipAnalyzer.Build(detections, width, height, new TrackingOptions());
        return [.. local.RegionsAt(position)];
    }

    private static Dictionary<string, object?> Rendered(int faces, bool analysed, bool fromCache) => new()
    {
        ["type"] = "rendered",
        ["faces"] = faces,
        ["analysed"] = analysed,
        ["cached"] = fromCache,
    };

    /// <summary>
    /// Starts analysing a clip — unless a clip with the same content fingerprint was analysed before with the same
    /// models (by any instance, host or earlier server), in which case that analysis is the reply at once.
    /// </summary>
    public IReadOnlyDictionary<string, object?> AnalyzeBegin(MessageFields request)
    {
        var session = request.String("session");
        var clip = request.String("clip");
        var frames = request.Int32("frames", 1, 10_000_000);
        var fps = request.Number("fps", 0.001, 1000);
        var width = request.Int32("width", 1, 16384);
        var height = request.Int32("height", 1, 16384);
        string? savePath = null;
        if (request.Has("fingerprint"))
        {
            savePath = Path.Combine(analysisDirectory, $"{FrameResultKey.CheckFingerprint(request.String("fingerprint"))}-{AnalysisSettingsKey}.deid");
            if (File.Exists(savePath))
            {
                lock (_gate)
                {
                    _analyses.Remove(savePath);
                    try
                    {
                        var known = LoadAnalysis(savePath);
                        if (known.Analysis.FrameCount == frames && known.Analysis.Width == width && known.Analysis.Height == height)
                        {
                            log($"analysis of {clip} found in the cache: {savePath}");
                            return AnalysisReply(known.Analysis, savePath, fps);
                        }
                    }
                    catch (FrameMessageException e)
                    {
                        // A damaged cached analysis is made again, never used.
                        log($"warning: {e.Message}; analysing again");
                        _analyses.Remove(savePath);
                        TryDelete(savePath);
                    }
                }
            }
        }
        var state = new AnalysisSession(new ClipAnalyzer(Models.Detector, Models.Embedder), clip, frames, fps, width, height, savePath);
        if (_sessions.TryRemove(session, out var previous)) previous.Analyzer.Dispose();
        _sessions[session] = state;
        return Ok();
    }

    public unsafe IReadOnlyDictionary<string, object?> AnalyzeFrame(MessageFields request)
    {
        var state = _sessions.TryGetValue(request.String("session"), out var found) ? found : throw new FrameMessageException("analyze-frame without analyze-begin");
        var frame = request.Int32("frame", 0, state.Frames - 1);
        if (frame != state.Analyzer.FramesSeen) throw new FrameMessageException($"expected frame {state.Analyzer.FramesSeen}, got {frame}: frames must come in order");
        var width = request.Int32("width", state.Width, state.Width);
        var height = request.Int32("height", state.Height, state.Height);
        var depth = PixelDepths.Parse(request.String("depth"));
        lock (_gate)
        {
            slots.Use(request.String("slot"), PixelDepths.FrameBytes(width, height, depth), pointer =>
            {
                SlotPixels.ToBgr((byte*)pointer, width, height, depth, _original);
                state.Analyzer.AddFrame(_original);
                return 0;
            });
        }
        return Ok();
    }

    public IReadOnlyDictionary<string, object?> AnalyzeEnd(MessageFields request)
    {
        if (!_sessions.TryRemove(request.String("session"), out var state)) throw new FrameMessageException("analyze-end without analyze-begin");
        using var _ = state.Analyzer;
        if (state.Analyzer.FramesSeen != state.Frames)
            throw new FrameMessageException($"analysis received {state.Analyzer.FramesSeen} of {state.Frames} frames");
        ClipAnalysis analysis;
        lock (_gate) analysis = state.Analyzer.Build();
        var rate = ToRational(state.Fps);
        var document = AnalysisFile.ToDocument(analysis, state.Analyzer.FingerprintSamples, rate, Models.ModelVersions, new DetectorOptions().ScoreThreshold, state.Clip);
        Directory.CreateDirectory(analysisDirectory);
        var path = state.SavePath ?? Path.Combine(analysisDirectory, analysis.Fingerprint + ".deid");
        AnalysisFile.Save(document, path);
        lock (_gate)
        {
            // Read back as a later server would, so this server renders from exactly what it saved.
            _analyses.Remove(path);
            analysis = LoadAnalysis(path).Analysis;
        }
        log($"analysed {state.Clip}: {analysis.FrameCount} frames, {analysis.Identities.Count} identities -> {path}");
        return AnalysisReply(analysis, path, state.Fps);
    }

    private static Dictionary<string, object?> AnalysisReply(ClipAnalysis analysis, string path, double fps) => new()
    {
        ["type"] = "analysis",
        ["path"] = path,
        ["identities"] = analysis.Identities.Select(i => (object?)new Dictionary<string, object?>
        {
            ["id"] = i.Id,
            ["first"] = i.FirstFrame / fps,
            ["last"] = i.LastFrame / fps,
            ["label"] = $"Person {i.Id} — {Clock(i.FirstFrame / fps)}–{Clock(i.LastFrame / fps)}",
        }).ToList(),
    };

    /// <summary>What an analysis depends on besides the clip: the models and the analysis settings and format.</summary>
    private static readonly string AnalysisSettingsKey = Convert.ToHexStringLower(System.IO.Hashing.XxHash3.Hash(System.Text.Encoding.UTF8.GetBytes(string.Join("|",
        ModelCatalog.Detector.Sha256, ModelCatalog.Recognizer.Sha256, AnalysisDocument.CurrentVersion, ClipAnalyzer.LinkingVersion,
        new DetectorOptions().ScoreThreshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))))[..12];

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>How the caches have done since the server started (for tests, benchmarks and support).</summary>
    public IReadOnlyDictionary<string, object?> Stats(MessageFields request)
    {
        // "flush": wait until every frame queued for the disk tier is written (tests, benchmarks, before a backup).
        if (request.Has("flush") && request.Boolean("flush")) _cache.Flush();
        lock (_gate)
        {
            return new Dictionary<string, object?>
            {
                ["type"] = "stats",
                ["rendered"] = _rendered,
                ["renderedAhead"] = _renderedAhead,
                ["memoryHits"] = _cache.MemoryHits,
                ["diskHits"] = _cache.DiskHits,
                ["misses"] = _cache.Misses,
                ["corrupt"] = _cache.Corrupt,
                ["memoryBytes"] = _cache.MemoryBytes,
                ["memoryEntries"] = (long)_cache.MemoryEntries,
                ["diskWrites"] = _cache.Writes,
                ["droppedWrites"] = _cache.DroppedWrites,
                ["evictions"] = _cache.Evictions,
                ["readAheadLoads"] = _cache.ReadAheadLoads,
                ["donorBankLoads"] = _donorBankLoads,
                ["replacementModelLoads"] = _replacementModelLoads,
            };
        }
    }

    /// <summary>
    /// Clear cache: with the effect's clip fingerprint, that clip's rendered frames (memory and disk) and whatever the
    /// server holds in memory; other clips' frames stay. Without one, every rendered frame. Analyses stay on disk: they
    /// are the user's work, and an effect names its analysis.
    /// </summary>
    public IReadOnlyDictionary<string, object?> ClearCache(MessageFields request)
    {
        request.String("session");
        var fingerprint = request.Has("fingerprint") ? FrameResultKey.CheckFingerprint(request.String("fingerprint")) : null;
        lock (_gate)
        {
            _analyses.Clear();
            _detections.Clear();
            foreach (var (_, compositor) in _replaceCompositors) compositor.Dispose();
            _replaceCompositors.Clear();
            var removed = fingerprint is null ? _cache.Clear() : _cache.ClearClip(fingerprint);
            _candidates.Clear();
            _playheads.Clear();
            log($"cache cleared{(fingerprint is null ? "" : $" for clip {fingerprint}")}: {removed.Count} frames on disk");
        }
        return Ok();
    }

    private LoadedAnalysis LoadAnalysis(string path)
    {
        if (_analyses.TryGetValue(path, out var known)) return known;
        try
        {
            // One read: the same bytes are parsed and identify the analysis in cache keys.
            var bytes = AnalysisFile.ReadBytes(path);
            var document = AnalysisFile.Parse(bytes, path);
            var contentId = System.IO.Hashing.XxHash3.HashToUInt64(bytes);
            var loaded = new LoadedAnalysis(AnalysisFile.ToAnalysis(document), new ClipFingerprint(document.FingerprintSamples), contentId);
            _analyses[path] = loaded;
            return loaded;
        }
        catch (FormatException e) { throw new FrameMessageException(e.Message); }
    }

    /// <summary>
    /// Replace plans per person of an analysis, so its compositor belongs to the analysis and the settings; the models
    /// and donors are shared by all of them, the plans are not, so only the most recent few are kept.
    /// </summary>
    private FaceCompositor ReplaceCompositor(AnonymizerSettings settings, string analysisPath, ClipAnalysis? analysis)
    {
        var key = (analysisPath, settings);
        var found = _replaceCompositors.FindIndex(c => c.Key == key);
        if (found >= 0)
        {
            var known = _replaceCompositors[found];
            _replaceCompositors.RemoveAt(found);
            _replaceCompositors.Insert(0, known);
            return known.Compositor;
        }
        var compositor = ReplacePlanning.Compositor(settings, analysis, Models, renderInOrder: false, SharedDonors, SharedReplacementModels);
        _replaceCompositors.Insert(0, (key, compositor));
        while (_replaceCompositors.Count > MaxReplaceCompositors)
        {
            _replaceCompositors[^1].Compositor.Dispose();
            _replaceCompositors.RemoveAt(_replaceCompositors.Count - 1);
        }
        return compositor;
    }

    private FaceCompositor Compositor(AnonymizerSettings settings)
    {
        if (!_compositors.TryGetValue(settings, out var compositor)) _compositors[settings] = compositor = settings.CreateCompositor();
        return compositor;
    }

    private static void DrawBoxes(Mat frame, IReadOnlyList<FaceRegion> regions, Func<FaceRegion, int?> identityOf)
    {
        foreach (var region in regions)
        {
            var box = new Rect((int)region.Box.X, (int)region.Box.Y, (int)region.Box.Width, (int)region.Box.Height);
            var colour = region.Observed ? new Scalar(80, 220, 80) : new Scalar(0, 200, 255);
            Cv2.Rectangle(frame, box, colour, 2);
            var label = identityOf(region) is { } id ? $"#{id}" : "?";
            Cv2.PutText(frame, label, new Point(box.X, Math.Max(12, box.Y - 4)), HersheyFonts.HersheySimplex, 0.5, colour, 1, LineTypes.AntiAlias);
        }
    }

    private static AnonymizationPolicy ParsePolicy(string text) => text switch
    {
        "anonymize-everyone" => AnonymizationPolicy.AnonymizeEveryone,
        "anonymize-only-listed" => AnonymizationPolicy.AnonymizeOnlyListed,
        _ => throw new FrameMessageException($"policy must be anonymize-everyone or anonymize-only-listed, not '{text}'"),
    };

    private static Dictionary<int, bool> ParseIdentityFlags(IReadOnlyDictionary<object, object?> map)
    {
        var flags = new Dictionary<int, bool>();
        foreach (var (key, value) in map)
        {
            if (key is not string text || !int.TryParse(text, out var id) || id < 1) throw new FrameMessageException($"identity key '{key}' must be a number from 1");
            flags[id] = value is bool flag ? flag : throw new FrameMessageException($"identity {id} must map to true or false");
        }
        return flags;
    }

    private static (int, int) ToRational(double fps)
    {
        foreach (var (numerator, denominator) in new[] { (24000, 1001), (30000, 1001), (60000, 1001), (2997, 100) })
            if (Math.Abs(fps - numerator / (double)denominator) < 1e-3) return (numerator, denominator);
        return ((int)Math.Round(fps * 1000), 1000);
    }

    private static string Clock(double seconds) => TimeSpan.FromSeconds(seconds).ToString(@"mm\:ss");

    private static Dictionary<string, object?> Ok() => new() { ["type"] = "ok" };

    public TieredFrameCache Cache => _cache;

    /// <summary>
    /// Read-ahead: when a session moves frame by frame (playing, or stepping through), the cached frames ahead of it in
    /// its direction of travel are brought from disk into memory in the background, at the lowest priority.
    /// </summary>
    private void FollowPlayhead(string session, string fingerprint, int frame)
    {
        var known = _playheads.TryGetValue(session, out var previous);
        _playheads[session] = frame;
        if (!known || fingerprint.Length == 0) return;
        var step = frame - previous;
        if (step is 0 or > 2 or < -2) return;
        var direction = Math.Sign(step);
        _cache.ReadAhead(fingerprint, Enumerable.Range(1, ReadAheadFrames).Select(i => frame + direction * i).Where(f => f >= 0));
    }

    public void Dispose()
    {
        _ahead?.Dispose();
        foreach (var session in _sessions.Values) session.Analyzer.Dispose();
        foreach (var compositor in _compositors.Values) compositor.Dispose();
        foreach (var (_, compositor) in _replaceCompositors) compositor.Dispose();
        _donorBank?.Dispose();
        _replacementModels?.Dispose();
        _models?.Dispose();
        _cache.Dispose();
        _original.Dispose();
        _processed.Dispose();
        _neighbour.Dispose();
    }
}
