using Deid.Effect.Detection;
using System.Diagnostics;
using Deid.Effect.Anonymization;
using Deid.Effect.Evaluation;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// Runs every method on every frame of an input and measures each output against the source: identity leak,
/// naturalness, pose and expression, flicker (clips), speed. What depends only on the source (its 68 landmarks and
/// measures, whether the detector finds the face in it, its own flicker) is measured once per frame and shared.
/// </summary>
public sealed class Evaluator(EvaluationModels models)
{
    private readonly IdentityLeakJudge _judge = new(models.Engine.Embedder);
    private readonly DetectionProbe _probe = new(models.Engine.Detector);
    private readonly IFaceEmbedder _embedder = models.Engine.Embedder;

    /// <param name="encoded">Null: each output is measured as the method leaves it. Set (clips): as a rendered file carries it.</param>
    public EvaluationReport Run(IEvaluationInput input, IReadOnlyList<IEvaluatedMethod> methods, EvaluationStrip? strip,
        MethodOptions options, bool quiet, CancellationToken cancel, EncodedRoundTrip? encoded = null)
    {
        if (encoded is not null && !input.IsClip) throw new CliError("only a clip can be judged after encoding");
        foreach (var method in methods) method.Prepare(input.Subject);
        var scorers = methods.Select(m => new MethodScorer(m.Name, models.Engine.Embedder.MatchThreshold)).ToList();
        var counts = encoded is null
            ? MeasureAll(input, methods, scorers, strip, "evaluate", (frame, m, output) => Anonymize(input, frame, methods[m], scorers[m], output), quiet, cancel)
            : MeasureEncoded(input, methods, scorers, strip, encoded, quiet, cancel);
        if (counts.Faces == 0) throw new CliError($"no face was found in {input.Name}; nothing to evaluate");
        return new EvaluationReport(input.Name, input.IsClip ? "clip" : "photos", counts.Frames, counts.Faces, counts.ConfidentFaces,
            input.Subject.People, options.Strength, options.Seed, scorers.Select((s, m) => s.Report(input.IsClip, methods[m].Outcomes)).ToList(),
            Encoded: encoded is not null);
    }

    /// <summary>The frame as <paramref name="method"/> anonymizes it, into <paramref name="output"/>; what it did to each face.</summary>
    private static Func<FaceRegion, string?> Anonymize(IEvaluationInput input, EvaluationFrame frame, IEvaluatedMethod method, MethodScorer scorer, Mat output)
    {
        frame.Image.CopyTo(output);
        var clock = Stopwatch.StartNew();
        method.Anonymize(output, frame.Faces, input.IdentityKeyOf);
        clock.Stop();
        scorer.AddFrame(frame.Faces.Count, clock.Elapsed);
        return method.OutcomeOf;
    }

    /// <summary>
    /// Every method's frames anonymized in order and encoded as `deid render` writes them, then decoded and measured
    /// against the source in a second pass. Each face's outcome is kept from the first pass by its track.
    /// </summary>
    private (int Frames, int Faces, int ConfidentFaces) MeasureEncoded(IEvaluationInput input, IReadOnlyList<IEvaluatedMethod> methods,
        List<MethodScorer> scorers, EvaluationStrip? strip, EncodedRoundTrip encoded, bool quiet, CancellationToken cancel)
    {
        var directory = Directory.CreateTempSubdirectory("deid-eval-").FullName;
        var readers = new List<FrameReader>();
        try
        {
            var paths = methods.Select((_, m) => Path.Combine(directory, $"method{m}.mp4")).ToList();
            var outcomes = methods.Select(_ => new List<Dictionary<int, string?>>()).ToList();
            var writers = paths.Select(path => new FrameWriter(encoded.Tools, encoded.Source, path)).ToList();
            try
            {
                using var output = new Mat();
                var progress = new ConsoleProgress("render", input.FrameCount, quiet);
                var frames = 0;
                foreach (var frame in input.Frames(cancel))
                {
                    for (var m = 0; m < methods.Count; m++)
                    {
                        var outcomeOf = Anonymize(input, frame, methods[m], scorers[m], output);
                        outcomes[m].Add(frame.Faces.ToDictionary(f => f.TrackId, f => outcomeOf(f)));
                        writers[m].Write(output);
                    }
                    progress.Report(++frames);
                }
                progress.Finish(frames);
                foreach (var writer in writers) writer.Complete();
            }
            finally
            {
                foreach (var writer in writers) writer.Dispose();
            }

            readers.AddRange(paths.Select(path => new FrameReader(encoded.Tools, VideoProbe.Probe(encoded.Tools, path))));
            return MeasureAll(input, methods, scorers, strip, "judge", (frame, m, output) =>
            {
                if (!readers[m].Read(output)) throw new VideoException($"the encoded {methods[m].Name} output ended before frame {frame.Index}");
                var kept = outcomes[m][frame.Index];
                return face => kept.GetValueOrDefault(face.TrackId);
            }, quiet, cancel);
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Measures each method's output of every frame against the source: identity leak, naturalness, pose and
    /// expression, flicker. <paramref name="produce"/> fills the output of a frame for a method and says what the
    /// method did to each face.
    /// </summary>
    private (int Frames, int Faces, int ConfidentFaces) MeasureAll(IEvaluationInput input, IReadOnlyList<IEvaluatedMethod> methods,
        List<MethodScorer> scorers, EvaluationStrip? strip, string stage, Func<EvaluationFrame, int, Mat, Func<FaceRegion, string?>> produce,
        bool quiet, CancellationToken cancel)
    {
        var outputs = methods.Select(_ => new Mat()).ToList();
        var previousOutputs = methods.Select(_ => new Mat()).ToList();
        using var previousSource = new Mat();
        using var shiftedSource = new Mat();
        using var flicker = new FlickerMeter();
        var previousRegions = new Dictionary<int, FaceRegion>();
        // Each method's confident faces of the frame before, by track: their embeddings in the source and the output.
        var previousFaces = methods.Select(_ => new Dictionary<int, (float[] Source, float[] Output)>()).ToList();
        var stripFaces = strip?.Choose(input.ConfidentFaces) ?? new HashSet<(int, int)>();
        var progress = new ConsoleProgress(stage, input.FrameCount, quiet);
        int frames = 0, faces = 0, confidentFaces = 0;
        try
        {
            foreach (var frame in input.Frames(cancel))
            {
                var image = frame.Image;
                var confident = frame.Faces.Where(ConfidentFace.Is).ToList();
                var boxes = confident.Select(f => f.Box).ToList();
                var originalMeasures = models.Landmarker.Locate(image, boxes).Select(p => FaceMeasures.From(p, image.Size())).ToList();
                if (boxes.Count > 0) ShiftedMethod.MoveByHalfAPixel(image, shiftedSource);
                var shiftedReadings = boxes.Count > 0 ? models.Landmarker.Locate(shiftedSource, boxes) : [];
                var repeatable = originalMeasures.Select((original, i) => RepeatableReading.Between(original, FaceMeasures.From(shiftedReadings[i], image.Size()))).ToList();
                var foundInSource = confident.Select(f => _probe.FindsFaceAt(image, f.Box)).ToList();
                var pairs = input.IsClip ? FlickerPairs(frame.Faces, previousRegions) : [];
                var sourceFlicker = pairs.Select(p => flicker.Measure(previousSource, image, p.Before, p.After)).ToList();

                for (var m = 0; m < methods.Count; m++)
                {
                    var output = outputs[m];
                    var outcomeOf = produce(frame, m, output);
                    var scorer = scorers[m];

                    // Judged where the detector found each face on this frame, as a recognizer would align it.
                    var verdicts = _judge.Judge(image, output, confident.Select(f => f.DetectedLandmarks ?? f.Landmarks).ToList());
                    var outputMeasures = models.Landmarker.Locate(output, boxes).Select(p => FaceMeasures.From(p, image.Size())).ToList();
                    var facesNow = new Dictionary<int, (float[] Source, float[] Output)>();
                    for (var i = 0; i < confident.Count; i++)
                    {
                        var (original, produced) = (originalMeasures[i], outputMeasures[i]);
                        bool? stillFound = foundInSource[i] ? _probe.FindsFaceAt(output, confident[i].Box) : null;
                        var now = (Source: verdicts[i].OriginalEmbedding, Output: verdicts[i].OutputEmbedding);
                        facesNow[confident[i].TrackId] = now;
                        var seenBefore = previousFaces[m].TryGetValue(confident[i].TrackId, out var before);
                        scorer.AddFace(new FaceRecord(frame.Index, frame.Label, confident[i].TrackId, input.IdentityKeyOf(confident[i]),
                            outcomeOf(confident[i]), verdicts[i].Distance, verdicts[i].Leaked, stillFound,
                            original.Pose.LargestDifference(produced.Pose), original.PoseKeptIn(produced), original.EyesKeptIn(produced),
                            original.MouthKeptIn(produced),
                            seenBefore ? _embedder.Distance(before.Source, now.Source) : null,
                            seenBefore ? _embedder.Distance(before.Output, now.Output) : null,
                            repeatable[i], OpeningReadings.Between(original, produced)));
                    }
                    if (input.IsClip) previousFaces[m] = facesNow;
                    for (var p = 0; p < pairs.Count; p++)
                    {
                        if (sourceFlicker[p] is not { } source) continue;
                        if (flicker.Measure(previousOutputs[m], output, pairs[p].Before, pairs[p].After) is { } produced) scorer.AddFlicker(source, produced);
                    }
                    foreach (var face in confident.Where(f => stripFaces.Contains((frame.Index, f.TrackId))))
                        strip!.Add(frame.Index, face, frame.Label, image, methods[m].Name, output);
                    (outputs[m], previousOutputs[m]) = (previousOutputs[m], output);
                }

                if (input.IsClip)
                {
                    image.CopyTo(previousSource);
                    previousRegions = frame.Faces.ToDictionary(f => f.TrackId);
                }
                frames++;
                faces += frame.Faces.Count;
                confidentFaces += confident.Count;
                progress.Report(frames);
            }
            progress.Finish(frames);
        }
        finally
        {
            foreach (var mat in outputs.Concat(previousOutputs)) mat.Dispose();
        }
        return (frames, faces, confidentFaces);
    }

    /// <summary>Faces present in this frame and the one before under the same track, with their ellipses then and now.</summary>
    private static List<(FaceEllipse Before, FaceEllipse After)> FlickerPairs(IReadOnlyList<FaceRegion> faces, Dictionary<int, FaceRegion> previous)
    {
        var mask = new MaskOptions();
        return faces.Where(f => previous.ContainsKey(f.TrackId))
            .Select(f => (FaceEllipse.From(previous[f.TrackId], mask.Scale), FaceEllipse.From(f, mask.Scale)))
            .ToList();
    }
}
