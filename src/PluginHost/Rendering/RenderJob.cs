using System.Diagnostics;
using Deid.Effect.Analysis;
using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Pipeline;
using Deid.Effect.Selection;
using Deid.Effect.Imaging;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// `deid render` end to end: probe, analyse the whole clip (or load its analysis), choose who is anonymized when,
/// render every frame, verify the result against the source, and only then move it into place. Any failure leaves
/// no output file behind and never writes a frame whose faces were not processed.
/// </summary>
public static class RenderJob
{
    public static RenderResult Run(RenderRequest request, CancellationToken cancel)
    {
        var log = request.Quiet ? (Action<string>)(_ => { }) : message => Console.Error.WriteLine(message);
        var tools = FfmpegTools.Locate();
        var source = VideoProbe.Probe(tools, request.InputPath);
        using var output = new AtomicOutput(request.OutputPath, request.InputPath);

        var clock = Stopwatch.StartNew();
        using var models = new EngineModels(request.Device, request.Detector, source, log);
        ClipAnalysis analysis;
        ClipFingerprint samples;
        var identityTime = TimeSpan.Zero;
        if (request.AnalysisPath is { } analysisPath)
        {
            (analysis, samples) = Load(analysisPath, source, log);
            log($"using analysis {analysisPath}: {analysis.Identities.Count} identities, {analysis.Tracks.Count} tracks");
        }
        else
        {
            (analysis, samples) = AnalysisPass.Run(tools, source, models.Detector, models.Embedder, request.Quiet, cancel, out identityTime);
        }
        var selection = SelectionBuilder.Build(request, analysis, source.Fps, models, log);
        var analysisTime = clock.Elapsed;

        clock.Restart();
        using var compositor = CreateCompositor(request.Anonymizer, analysis, models);
        var replace = compositor.Anonymizer as ReplaceAnonymizer;
        var escalated = new EscalatedFaces();
        var check = request.CheckOutput ?? request.Anonymizer.Method == AnonymizationMethod.Replace;
        var tooNear = models.Embedder.MatchThreshold + OutputFaceCheck.EncodingMargin;
        var covered = 0;
        var outcome = new OutputCheckResult(check, 0, 0, []);
        using var patches = check ? new RenderedPatches(output.TempPath + ".patches" + AtomicOutput.PartialMarker) : null;
        var blurredForTheEncoder = new HashSet<(int Frame, int TrackId)>();
        // Replace's faces judged alone, for faces its check against the frame before blurred; made only when needed.
        using var newFaces = new OnDemand(() => replace is null ? null :
            ReplacePlanning.Compositor(request.Anonymizer, analysis, models, renderInOrder: false, replace.Replacer.Donors, replace.Replacer.Models));
        for (var pass = 1; ; pass++)
        {
            covered = Render(tools, source, analysis, samples, selection, request, compositor, escalated, patches, newFaces, blurredForTheEncoder,
                output.TempPath, pass, cancel);
            if (pass == 1 && replace is not null)
                log($"replace: {replace.Plans.Count} identities planned; {replace.Replacer.Statistics}");
            if (!check) break;
            var found = OutputFaceCheck.Run(tools, source, output.TempPath, analysis.FrameCount,
                index => HiddenRegions(index, analysis, selection, source.FrameDuration),
                models.Embedder, tooNear, request.Quiet, cancel);
            var stronger = found.Where(face => escalated.Escalate(face, tooNear, replace is not null && blurredForTheEncoder.Contains((face.Frame, face.TrackId)))).ToList();
            // Filled faces in the margin are clear of the match distance: only those within it are still near.
            outcome = new OutputCheckResult(true, pass, escalated.Count, found.Except(stronger).Where(face => face.Distance <= models.Embedder.MatchThreshold).ToList());
            if (stronger.Count == 0) break;
            log($"check: the rendered file shows {stronger.Count} hidden faces within {tooNear:0.00} of their person " +
                $"(frames {Describe(stronger)}); hiding them more and rendering again");
            if (pass == MaxPasses)
                throw new CliError($"after {pass} renderings {stronger.Count} hidden faces were still within {tooNear:0.00} of their person " +
                    $"(frames {Describe(stronger)}); nothing was written. Render with --method blur or --method solid, or with --no-check to write it unchecked.");
        }
        if (compositor.Anonymizer is ReplaceAnonymizer { Replacer.Donors: { } donors })
            log($"replace: new faces from {donors.Faces.Count} donor faces of {donors.People} people" + (donors.Skipped.Count > 0 ? $" ({donors.Skipped.Count} files gave none)" : ""));
        if (check)
        {
            log($"check: {outcome.Passes} rendering(s); {outcome.Escalated} faces hidden more than the method hid them" +
                (outcome.StillNear.Count > 0 ? $"; {outcome.StillNear.Count} filled faces the recognizer still places near their person (frames {Describe(outcome.StillNear)})" : ""));
        }
        var renderTime = clock.Elapsed;

        var differences = VideoVerifier.Compare(tools, source, output.TempPath);
        if (differences.Count > 0)
            throw new VideoException($"the rendered file does not match the source ({string.Join("; ", differences)}); nothing was written");
        output.Commit();
        return new RenderResult(request.OutputPath, analysis.FrameCount, analysis.Tracks.Count, analysis.Identities.Count, covered, analysisTime, renderTime)
        {
            IdentityTime = identityTime,
            Check = outcome,
        };
    }

    private static (ClipAnalysis, ClipFingerprint) Load(string path, VideoInfo source, Action<string> log)
    {
        AnalysisDocument document;
        try { document = AnalysisFile.Read(path); }
        catch (FormatException e) { throw new CliError(e.Message); }
        if (document.Width != source.Width || document.Height != source.Height)
            throw new CliError($"{path} was made for a {document.Width}x{document.Height} clip, {source.Path} is {source.Width}x{source.Height}");
        if (source.FrameCount is { } frames && frames != document.Detections.Count)
            throw new CliError($"{path} was made for a clip of {document.Detections.Count} frames, {source.Path} has {frames}");
        // Such a file's tracks may run on across a change of shot into another person: an identity kept visible could
        // then show someone else after the cut. Still usable (everyone hidden stays hidden), so it is said, not refused.
        if (document.CutFrames is null)
            log($"warning: {path} was made before deid found changes of shot; a track may run across one into another person, so a person kept visible may show someone else there. Analyse the clip again (deid analyze) to be sure.");
        return (AnalysisFile.ToAnalysis(document), new ClipFingerprint(document.FingerprintSamples));
    }

    /// <summary>At most this many renderings of the clip, each after a check of the one before found faces to hide more.</summary>
    public const int MaxPasses = 6;

    /// <summary>A compositor made the first time it is asked for, and disposed with this.</summary>
    private sealed class OnDemand(Func<FaceCompositor?> create) : IDisposable
    {
        private bool _created;
        private FaceCompositor? _value;

        public FaceCompositor? Value
        {
            get
            {
                if (!_created) (_value, _created) = (create(), true);
                return _value;
            }
        }

        public void Dispose() => _value?.Dispose();
    }

    /// <summary>How much wider than the method's mask a face found too near is blurred or filled.</summary>
    public const float EscalationScale = 1.25f;

    private static string Describe(IReadOnlyList<RecognizedFace> faces)
    {
        var frames = faces.Select(f => f.Frame).Distinct().Order().ToList();
        return string.Join(", ", frames.Take(8)) + (frames.Count > 8 ? $" and {frames.Count - 8} more" : "");
    }

    private static int Render(FfmpegTools tools, VideoInfo source, ClipAnalysis analysis, ClipFingerprint samples,
        AnonymizationSelection selection, RenderRequest request, FaceCompositor compositor, EscalatedFaces escalated,
        RenderedPatches? patches, OnDemand newFaces, HashSet<(int Frame, int TrackId)> blurredForTheEncoder,
        string temporaryPath, int pass, CancellationToken cancel)
    {
        var progress = new ConsoleProgress(pass == 1 ? "render" : $"render {pass}", analysis.FrameCount, request.Quiet);
        var encode = (request.Encode ?? new EncodeSettings()).For(source);
        // A yuv420p source is rendered in its own planes: only hidden faces are converted, the rest is passed through.
        var format = RawFrameFormats.CanCarry(source, encode) ? RawFrameFormat.Yuv420p : RawFrameFormat.Bgr24;
        var matrix = YuvMatrix.ByName(source.ConversionMatrix, source.IsFullRange);
        using var planes = new I420FaceCompositor(compositor, matrix);
        // Wider than the method's mask: on a face still near its person after a blur, the recognizer leans on the
        // hairline and the outline of the head around it.
        var wider = compositor.Mask with { Scale = compositor.Mask.Scale * EscalationScale };
        using var blurMethod = new FaceCompositor(new BlurAnonymizer(1f), wider);
        using var blur = new I420FaceCompositor(blurMethod, matrix);
        using var fillMethod = new FaceCompositor(new SolidAnonymizer(request.Anonymizer.SolidColor, 1f), wider);
        using var fill = new I420FaceCompositor(fillMethod, matrix);
        var replace = compositor.Anonymizer as ReplaceAnonymizer;
        using var replaceAlone = escalated.Any(Escalation.NewFace) && newFaces.Value is { } alone ? new I420FaceCompositor(alone, matrix) : null;
        using var untouched = new Mat();
        using var work = new Mat();
        using var writer = new FrameWriter(tools, source, temporaryPath, encode, format);
        using var check = new Mat();
        var index = 0;
        var covered = 0;
        using (var frames = FrameSource.Open(tools, source, format))
        {
            while (frames.Next() is { } frame)
            {
                cancel.ThrowIfCancellationRequested();
                if (index >= analysis.FrameCount)
                    throw new VideoException($"{source.Path} has more frames than its analysis ({analysis.FrameCount}); refusing to write frames that were not analysed");
                if (ClipFingerprint.IsSampled(index))
                {
                    var bgr = frame;
                    if (format == RawFrameFormat.Yuv420p)
                    {
                        I420.ToBgr(frame, source.Width, source.Height, new Rect(0, 0, source.Width, source.Height), matrix, check);
                        bgr = check;
                    }
                    if (!samples.Matches(index, bgr))
                        throw new CliError($"frame {index} of {source.Path} is not the frame that was analysed: the analysis belongs to another clip");
                }
                var hidden = HiddenRegions(index, analysis, selection, source.FrameDuration);
                var given = replaceAlone is null ? [] : escalated.Select(index, hidden, Escalation.NewFace);
                if (given.Count > 0) frame.CopyTo(untouched);
                if (pass > 1) patches!.Restore(index, frame); // the method's faces as the first pass made them, without running it again
                else if (patches is not null) patches.Record(frame, () => Apply(planes, frame, source, format, hidden));
                else Apply(planes, frame, source, format, hidden);
                if (pass == 1 && replace is not null && hidden.Count > 0)
                {
                    foreach (var (trackId, result) in replace.LastOutcomes)
                        if (result == ReplacementOutcome.BlurredForTheEncoder) blurredForTheEncoder.Add((index, trackId));
                }
                if (given.Count > 0)
                {
                    // Made from the source frame, as the method made every other face; only what it changed is copied over.
                    untouched.CopyTo(work);
                    Apply(replaceAlone!, work, source, format, given);
                    RenderedPatches.CopyChanges(untouched, work, frame);
                }
                // Over what the method made: a new face blurred is farther from the person than the face blurred.
                Apply(blur, frame, source, format, escalated.Select(index, hidden, Escalation.Blur));
                Apply(fill, frame, source, format, escalated.Select(index, hidden, Escalation.Solid));
                covered += hidden.Count;
                writer.Write(frame);
                frames.Release(frame);
                progress.Report(++index);
            }
        }
        if (index != analysis.FrameCount)
            throw new VideoException($"{source.Path} decoded to {index} frames but its analysis has {analysis.FrameCount}; nothing was written");
        writer.Complete();
        progress.Finish(index);
        return covered;
    }

    private static void Apply(I420FaceCompositor compositor, Mat frame, VideoInfo source, RawFrameFormat format, IReadOnlyList<FaceRegion> regions)
    {
        if (regions.Count == 0 && compositor.Inner.Anonymizer is not IRegionAnonymizer) return;
        if (format == RawFrameFormat.Yuv420p) compositor.Apply(frame, source.Width, source.Height, regions);
        else compositor.Inner.Apply(frame, regions);
    }

    /// <summary>The compositor for the chosen method; replace plans one new face per person (see <see cref="ReplacePlanning"/>).</summary>
    public static FaceCompositor CreateCompositor(AnonymizerSettings settings, ClipAnalysis analysis, EngineModels models) =>
        settings.Method == AnonymizationMethod.Replace
            ? ReplacePlanning.Compositor(settings, analysis, models, renderInOrder: true)
            : settings.CreateCompositor();

    /// <summary>The regions of frame <paramref name="index"/> that the selection hides at that frame's time.</summary>
    public static IReadOnlyList<FaceRegion> HiddenRegions(int index, ClipAnalysis analysis, AnonymizationSelection selection, double frameDuration)
    {
        var seconds = index * frameDuration;
        return analysis.RegionsAt(index).Where(r => selection.IsAnonymized(analysis.IdentityOf(r.TrackId), seconds)).ToList();
    }

    /// <summary>Hides the faces of frame <paramref name="index"/> that the selection says to hide at its time; returns how many.</summary>
    public static int Anonymize(Mat frame, int index, ClipAnalysis analysis, AnonymizationSelection selection,
        FaceCompositor compositor, double frameDuration)
    {
        var hidden = HiddenRegions(index, analysis, selection, frameDuration);
        compositor.Apply(frame, hidden);
        return hidden.Count;
    }
}
