using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The replace method inside a <see cref="FaceCompositor"/>: each region's track is mapped to an identity key
/// (<paramref name="identityKeyOf"/>; e.g. the person of a clip analysis, or the track itself when it belongs to
/// nobody known), and the key's transform is planned once per key. It is planned from the faces
/// <paramref name="samplesOf"/> gives for the key (the person's faces kept by the analysis: the same plan whatever
/// order frames come in; an empty list plans from the seed alone), or, where that gives null, from the first face
/// seen with the key. The samples are the anonymizer's to dispose. With landmark smoothing on, frames must arrive in
/// order. Owns the replacer.
/// </summary>
public sealed class ReplaceAnonymizer(FaceReplacer replacer, Func<int, string> identityKeyOf,
    Func<string, IReadOnlyList<(Mat Frame, FaceRegion Region)>?>? samplesOf = null) : IRegionAnonymizer, IDisposable
{
    private readonly Dictionary<string, IdentityTransform> _plans = [];
    private readonly BlurAnonymizer _blur = new(1f);

    public string Name => "replace";

    public FaceReplacer Replacer { get; } = replacer;

    /// <summary>The transforms planned so far, by identity key.</summary>
    public IReadOnlyDictionary<string, IdentityTransform> Plans => _plans;

    /// <summary>Told what became of each face <see cref="Apply"/> was given, by its track (a redaction report keeps it).</summary>
    public Action<int, ReplacementOutcome>? Observer { get; set; }

    public void Apply(Mat bgrFrame, IReadOnlyList<FaceRegion> regions, MaskOptions mask)
    {
        var planned = new List<(FaceRegion, IdentityTransform)>(regions.Count);
        foreach (var region in regions)
        {
            try
            {
                var key = identityKeyOf(region.TrackId);
                if (!_plans.TryGetValue(key, out var plan))
                {
                    var samples = samplesOf?.Invoke(key);
                    try { plan = Replacer.Plan(key, samples ?? [(bgrFrame, region)]); }
                    finally
                    {
                        foreach (var (frame, _) in samples ?? []) frame.Dispose();
                    }
                    _plans[key] = plan;
                }
                planned.Add((region, plan));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // No plan, no replacement: the face is hidden all the same.
                new FaceCompositor(_blur, mask).Apply(bgrFrame, FaceEllipse.From(region, mask.Scale));
                Observer?.Invoke(region.TrackId, ReplacementOutcome.BlurredAfterError);
            }
        }
        var outcomes = Replacer.ApplyAll(bgrFrame, planned, mask);
        if (Observer is { } observer)
            for (var i = 0; i < planned.Count; i++) observer(planned[i].Item1.TrackId, outcomes[i]);
    }

    /// <summary>Only an ellipse, no region: nothing to replace from, so the face is blurred (never left visible).</summary>
    public void Render(Mat frame, Rect roi, FaceEllipse face, Mat patch, Span<byte> mask) => _blur.Render(frame, roi, face, patch, mask);

    public void Dispose()
    {
        Replacer.Dispose();
        _blur.Dispose();
    }
}
