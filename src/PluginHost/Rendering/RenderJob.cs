using System.Diagnostics;
using Deid.Effect.Analysis;
using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Pipeline;
using Deid.Effect.Selection;
using Deid.Effect.Imaging;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Reports;
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
        var clip = new ClipToRender(tools, source, analysis, samples, selection, request);
        using var compositor = CreateCompositor(request.Anonymizer, analysis, models);
        var replace = compositor.Anonymizer as ReplaceAnonymizer;
        using var readBack = (request.CheckOutput ?? request.Anonymizer.Method == AnonymizationMethod.Replace)
            ? new ReadBack(clip, compositor, models.Embedder, output.TempPath + ".patches" + AtomicOutput.PartialMarker)
            : null;
        // What the method did to each face is only known while it runs: kept for the report.
        var ledger = request.ReportPath is not null ? new FaceLedger() : null;
        if (ledger is not null && replace is not null) replace.Observer = ledger.Record;
        var covered = 0;
        for (var pass = 1; ; pass++)
        {
            covered = Render(clip, compositor, readBack, output.TempPath, pass, pass == 1 ? ledger : null, cancel);
            if (pass == 1 && replace is not null)
                log($"replace: {replace.Plans.Count} identities planned; {replace.Replacer.Statistics}");
            if (readBack is null) break;
            var stronger = readBack.Check(output.TempPath, pass, cancel);
            if (stronger.Count == 0) break;
            log($"check: the rendered file shows {stronger.Count} hidden faces within {readBack.TooNear:0.00} of their person " +
                $"(frames {Describe(stronger)}); hiding them more and rendering again");
            if (pass >= request.MaxWritings)
                throw new CliError($"after {pass} renderings {stronger.Count} hidden faces were still within {readBack.TooNear:0.00} of their person " +
                    $"(frames {Describe(stronger)}); nothing was written. Render with a higher --max-writings, with --method blur or --method solid, or with --no-check to write it unchecked.");
        }
        if (replace is { Replacer.Donors: { } donors })
            log($"replace: new faces from {donors.Faces.Count} donor faces of {donors.People} people" + (donors.Skipped.Count > 0 ? $" ({donors.Skipped.Count} files gave none)" : ""));
        var outcome = readBack?.Result ?? new OutputCheckResult(0, 0, []);
        if (readBack is not null)
        {
            log($"check: {outcome.Passes} rendering(s); {outcome.Escalated} faces hidden more than the method hid them" +
                (outcome.StillNear.Count > 0 ? $"; {outcome.StillNear.Count} filled faces the recognizer still places near their person (frames {Describe(outcome.StillNear)})" : ""));
        }
        var renderTime = clock.Elapsed;

        var differences = VideoVerifier.Compare(tools, source, output.TempPath);
        if (differences.Count > 0)
            throw new VideoException($"the rendered file does not match the source ({string.Join("; ", differences)}); nothing was written");
        RedactionReport? report = null;
        Exception? reportFailure = null;
        try
        {
            if (ledger is not null) report = RedactionReporting.Make(clip, ledger, readBack, outcome, output.TempPath, cancel);
        }
        catch (Exception e) when (e is VideoException or IOException or OpenCVException)
        {
            // The file passed every check: a report that cannot be made costs the report, not the render.
            reportFailure = e;
        }
        output.Commit();
        if (reportFailure is not null) throw new CliError($"{request.OutputPath} was written, but not its report: {reportFailure.Message}");
        if (report is not null && request.ReportPath is { } reportPath)
        {
            try
            {
                RedactionReporting.Write(report, reportPath);
            }
            catch (CliError e)
            {
                throw new CliError($"{request.OutputPath} was written, but not its report: {e.Message}");
            }
            log($"report: {reportPath}");
        }
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

    private static string Describe(IReadOnlyList<RecognizedFace> faces)
    {
        var frames = faces.Select(f => f.Frame).Distinct().Order().ToList();
        return string.Join(", ", frames.Take(8)) + (frames.Count > 8 ? $" and {frames.Count - 8} more" : "");
    }

    /// <summary>Writes the clip once (writing <paramref name="pass"/>); returns how many faces it hid.</summary>
    /// <param name="ledger">Told which frame the method works on, so what it reports of each face is filed under it (first writing only).</param>
    private static int Render(ClipToRender clip, FaceCompositor compositor, ReadBack? readBack, string temporaryPath, int pass, FaceLedger? ledger, CancellationToken cancel)
    {
        var (source, analysis) = (clip.Source, clip.Analysis);
        var progress = new ConsoleProgress(pass == 1 ? "render" : $"render {pass}", analysis.FrameCount, clip.Request.Quiet);
        using var planes = new I420FaceCompositor(compositor, clip.Matrix);
        using var writer = new FrameWriter(clip.Tools, source, temporaryPath, clip.Encode, clip.Format);
        using var check = new Mat();
        var index = 0;
        var covered = 0;
        using (var frames = FrameSource.Open(clip.Tools, source, clip.Format))
        {
            while (frames.Next() is { } frame)
            {
                cancel.ThrowIfCancellationRequested();
                if (index >= analysis.FrameCount)
                    throw new VideoException($"{source.Path} has more frames than its analysis ({analysis.FrameCount}); refusing to write frames that were not analysed");
                if (ClipFingerprint.IsSampled(index))
                {
                    var bgr = frame;
                    if (clip.Format == RawFrameFormat.Yuv420p)
                    {
                        I420.ToBgr(frame, source.Width, source.Height, new Rect(0, 0, source.Width, source.Height), clip.Matrix, check);
                        bgr = check;
                    }
                    if (!clip.Samples.Matches(index, bgr))
                        throw new CliError($"frame {index} of {source.Path} is not the frame that was analysed: the analysis belongs to another clip");
                }
                var hidden = clip.HiddenAt(index);
                if (ledger is not null) ledger.CurrentFrame = index;
                if (readBack is null) clip.Hide(planes, frame, hidden);
                else readBack.Render(index, frame, hidden, pass, () => clip.Hide(planes, frame, hidden));
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
