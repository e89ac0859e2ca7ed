using Deid.Effect.Detection;
using System.Diagnostics;
using Deid.Effect.Anonymization;
using Deid.Effect.Evaluation;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
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

    public EvaluationReport Run(IEvaluationInput input, IReadOnlyList<IEvaluatedMethod> methods, EvaluationStrip? strip,
        MethodOptions options, bool quiet, CancellationToken cancel)
    {
        foreach (var method in methods) method.Prepare(input.Subject);
        var scorers = methods.Select(m => new MethodScorer(m.Name, models.Engine.Embedder.MatchThreshold)).ToList();
        var outputs = methods.Select(_ => new Mat()).ToList();
        var previousOutputs = methods.Select(_ => new Mat()).ToList();
        using var previousSource = new Mat();
        using var flicker = new FlickerMeter();
        var previousRegions = new Dictionary<int, FaceRegion>();
        var stripFaces = strip?.Choose(input.ConfidentFaces) ?? new HashSet<(int, int)>();
        var progress = new ConsoleProgress("evaluate", input.FrameCount, quiet);
        int frames = 0, faces = 0, confidentFaces = 0;
        try
        {
            foreach (var frame in input.Frames(cancel))
            {
                var image = frame.Image;
                var confident = frame.Faces.Where(ConfidentFace.Is).ToList();
                var boxes = confident.Select(f => f.Box).ToList();
                var originalMeasures = models.Landmarker.Locate(image, boxes).Select(p => FaceMeasures.From(p, image.Size())).ToList();
                var foundInSource = confident.Select(f => _probe.FindsFaceAt(image, f.Box)).ToList();
                var pairs = input.IsClip ? FlickerPairs(frame.Faces, previousRegions) : [];
                var sourceFlicker = pairs.Select(p => flicker.Measure(previousSource, image, p.Before, p.After)).ToList();

                for (var m = 0; m < methods.Count; m++)
                {
                    var output = outputs[m];
                    image.CopyTo(output);
                    var clock = Stopwatch.StartNew();
                    methods[m].Anonymize(output, frame.Faces, input.IdentityKeyOf);
                    clock.Stop();
                    var scorer = scorers[m];
                    scorer.AddFrame(frame.Faces.Count, clock.Elapsed);

                    // Judged where the detector found each face on this frame, as a recognizer would align it.
                    var verdicts = _judge.Judge(image, output, confident.Select(f => f.DetectedLandmarks ?? f.Landmarks).ToList());
                    var outputMeasures = models.Landmarker.Locate(output, boxes).Select(p => FaceMeasures.From(p, image.Size())).ToList();
                    for (var i = 0; i < confident.Count; i++)
                    {
                        var (original, produced) = (originalMeasures[i], outputMeasures[i]);
                        bool? stillFound = foundInSource[i] ? _probe.FindsFaceAt(output, confident[i].Box) : null;
                        scorer.AddFace(new FaceRecord(frame.Index, frame.Label, confident[i].TrackId, input.IdentityKeyOf(confident[i]),
                            methods[m].OutcomeOf(confident[i]), verdicts[i].Distance, verdicts[i].Leaked, stillFound,
                            original.Pose.LargestDifference(produced.Pose), original.PoseKeptIn(produced), original.EyesKeptIn(produced),
                            original.MouthKeptIn(produced)));
                    }
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
        if (faces == 0) throw new CliError($"no face was found in {input.Name}; nothing to evaluate");
        return new EvaluationReport(input.Name, input.IsClip ? "clip" : "photos", frames, faces, confidentFaces,
            input.Subject.SamplesByIdentity.Count, options.Strength, options.Seed, scorers.Select((s, m) => s.Report(input.IsClip, methods[m].Outcomes)).ToList());
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
