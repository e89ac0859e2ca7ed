using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Inference;
using Deid.Effect.Models;
using Deid.Effect.Tracking;
using Deid.PluginHost.Rendering;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// Identity replacement as `deid render --method replace` does it: one plan per person, from that person's samples
/// (a clip's: those its analysis keeps, which render plans on too), then each face replaced with its person's plan;
/// a person without samples is planned on their first face, as a file render plans a track of nobody known.
/// <paramref name="framesAlone"/>: as the editor does it instead (the OpenFX plugin through `deid serve`), every frame
/// on its own: nothing carried along a track, and a person without samples planned from the seed alone.
/// </summary>
public sealed class ReplaceMethod(MethodOptions options, bool framesAlone = false) : IEvaluatedMethod
{
    private readonly Dictionary<string, IdentityTransform> _plans = [];
    private readonly MaskOptions _mask = new();
    private readonly Dictionary<FaceRegion, ReplacementOutcome> _lastOutcomes = new(ReferenceEqualityComparer.Instance);
    private FaceReplacer? _replacer;

    public const string MethodName = "replace";

    /// <summary>The name of replace as the editor renders it, frames alone.</summary>
    public const string EditorMethodName = "replace-editor";

    public string Name => framesAlone ? EditorMethodName : MethodName;

    public void Prepare(EvaluationSubject subject)
    {
        var replacement = new ReplacementOptions { Seed = options.Seed, DonorFolder = options.DonorFolder };
        _replacer ??= new FaceReplacer(new InferenceSessionFactory(options.Device), ModelLocator.Default(),
            framesAlone ? ReplacePlanning.ForFramesAlone(replacement) : replacement);
        foreach (var (key, samples) in subject.SamplesByIdentity)
            _plans[key] = _replacer.Plan(key, samples.Select(s => (s.Image, s.Region)).ToList());
    }

    public void Anonymize(Mat bgrFrame, IReadOnlyList<FaceRegion> faces, Func<FaceRegion, string> identityKey)
    {
        var replacer = _replacer ?? throw new InvalidOperationException("replace was not prepared");
        var planned = new List<(FaceRegion, IdentityTransform)>(faces.Count);
        foreach (var face in faces)
        {
            var key = identityKey(face);
            if (!_plans.TryGetValue(key, out var plan)) _plans[key] = plan = replacer.Plan(key, framesAlone ? [] : [(bgrFrame, face)]);
            planned.Add((face, plan));
        }
        var outcomes = replacer.ApplyAll(bgrFrame, planned, _mask);
        _lastOutcomes.Clear();
        for (var i = 0; i < faces.Count; i++) _lastOutcomes[faces[i]] = outcomes[i];
    }

    public string? OutcomeOf(FaceRegion face) => _lastOutcomes.TryGetValue(face, out var outcome) ? Describe(outcome) : null;

    public IReadOnlyList<FaceOutcomeCount>? Outcomes => _replacer is { } replacer
        ? Enum.GetValues<ReplacementOutcome>().Select(o => new FaceOutcomeCount(Describe(o), replacer.Statistics.Count(o))).ToList()
        : null;

    private static string Describe(ReplacementOutcome outcome) => outcome switch
    {
        ReplacementOutcome.Replaced => "replaced",
        ReplacementOutcome.ReplacedByAlternate => "replaced: another of the person's new faces",
        ReplacementOutcome.BlurredTooSmall => "blurred: too small",
        ReplacementOutcome.BlurredNoLandmarks => "blurred: no upright face or doubtful detection",
        ReplacementOutcome.BlurredStillRecognized => "blurred: still recognized",
        ReplacementOutcome.BlurredAfterError => "blurred: error",
        _ => outcome.ToString(),
    };

    public void Dispose() => _replacer?.Dispose();
}
