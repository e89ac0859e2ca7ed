using System.Diagnostics;
using Deid.Effect.Anonymization.Replacement.Donors;
using Deid.Effect.Detection;
using Deid.Effect.Evaluation;
using Deid.Effect.Inference;
using Deid.Effect.Landmarks;
using Deid.Effect.Models;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using OpenCvSharp;
using static Deid.Effect.Anonymization.Replacement.FacePlacement;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// Replaces faces with the face of nobody, keeping pose, expression and lighting. <see cref="Plan"/> chooses one
/// transform per identity: seeded candidates, measured with the recognizer on the identity's sample faces, the
/// first far enough from the person (or else the farthest) wins. <see cref="Apply"/> places 68 landmarks,
/// smooths them along the face's track, renders the new face in the canonical frame (the hand-made transform or a
/// learned generator) and blends it back. It fails closed: a face it cannot replace, or whose replacement the
/// recognizer still matches to the person, is blurred. Frames in order, a track keeps the other new face of its person
/// it had to take (<see cref="ReplacementOptions.KeepNewFaceAlongTrack"/>).
/// </summary>
public sealed partial class FaceReplacer : IDisposable
{
    private readonly ReplacementModels _models;
    private readonly bool _ownsModels;
    private readonly ShapeAndSkinRenderer _renderer = new();
    private readonly IFaceGenerator? _generator;
    private readonly DonorBank? _donors;
    private readonly bool _ownsDonors;
    private readonly DetectionProbe? _probe;
    private readonly DonorRenderer _donorRenderer = new();
    private readonly LandmarkSmoother _smoother;
    private readonly Mat _canonical = new();
    private readonly Mat _face = new();
    private readonly Mat _mask = new();
    private readonly NewFaceCorrection _correction;
    private FaceCompositor? _fallback;

    /// <param name="sharedDonors">
    /// The donors of <see cref="ReplacementOptions.DonorFolder"/>, already loaded and shared by every replacer of the
    /// process (not disposed here); null to load them.
    /// </param>
    /// <param name="sharedModels">
    /// Landmarks, recognizer and detector already loaded and shared with other replacers that never run at the same
    /// time as this one (not disposed here; with donors, loaded with the detector); null to load them.
    /// </param>
    public FaceReplacer(InferenceSessionFactory sessions, ModelLocator models, ReplacementOptions options, DonorBank? sharedDonors = null,
        ReplacementModels? sharedModels = null)
    {
        Options = options;
        if (sharedModels is not null && options.DonorFolder is not null && sharedModels.Detector is null)
            throw new ArgumentException("replacing from donors needs shared models loaded with the detector", nameof(sharedModels));
        // The generator first: a model that breaks the contract is refused before anything else is loaded.
        if (options.GeneratorPath is { } generatorPath) _generator = new OnnxFaceGenerator(sessions, generatorPath);
        try
        {
            _ownsModels = sharedModels is null;
            _models = sharedModels ?? ReplacementModels.Load(sessions, models, withDetector: options.DonorFolder is not null);
        }
        catch
        {
            (_generator as IDisposable)?.Dispose();
            throw;
        }
        if (options.DonorFolder is { } donorFolder)
        {
            try
            {
                _probe = new DetectionProbe(_models.Detector!);
                _ownsDonors = sharedDonors is null;
                _donors = sharedDonors ?? DonorBank.Load(donorFolder, _models.Detector!, Landmarker, Embedder);
            }
            catch
            {
                Dispose();
                throw;
            }
        }
        _smoother = new LandmarkSmoother(Math.Clamp(options.LandmarkSmoothing, 0, 1), CanonicalFace.Size);
        _correction = new NewFaceCorrection(_models.Landmarker, _face, _mask);
    }

    public ReplacementOptions Options { get; }

    /// <summary>The landmark, recognition (and donor detection) models, for another replacer that never runs at the same time.</summary>
    public ReplacementModels Models => _models;

    private Landmark68Detector Landmarker => _models.Landmarker;

    private ResNetFaceEmbedder Embedder => _models.Embedder;

    /// <summary>The donor faces new faces are made from; null when the hand-made transform makes them.</summary>
    public DonorBank? Donors => _donors;

    /// <summary>Counts of what <see cref="Apply"/> did, for reports and tests.</summary>
    public ReplacementStatistics Statistics { get; } = new();

    /// <summary>
    /// Replaces every face of one frame. The most certain faces go last, on top, so a doubtful neighbour (a second
    /// box on the same face, a blur fallback) is not pasted over them; a replaced face that a later neighbour
    /// overlaps is judged again at the end against its untouched original, and blurred if it came too near the person.
    /// Every safety check compares with the frame as it came in: a neighbour blurred or replaced first may reach
    /// into a face's chip, and judged against that, a new face too near the person passed (Hamilton clip, two faces
    /// within 0.6 of the singer beside a blurred partial box).
    /// </summary>
    /// <returns>What became of each face, in the order of <paramref name="faces"/>.</returns>
    public IReadOnlyList<ReplacementOutcome> ApplyAll(Mat bgrFrame, IReadOnlyList<(FaceRegion Region, IdentityTransform Transform)> faces, MaskOptions mask)
    {
        try
        {
            return ApplyEach(bgrFrame, faces, mask);
        }
        finally
        {
            foreach (var original in _originals.Values) original.Dispose();
            _originals.Clear();
        }
    }

    /// <summary>The faces of the frame <see cref="ApplyAll"/> works on as they came in, kept for the checks that follow their replacement.</summary>
    private readonly Dictionary<FaceRegion, JudgedOriginal> _originals = new(ReferenceEqualityComparer.Instance);

    /// <summary>The face as it came in: as its replacement's check saw it, or aligned now from the untouched frame.</summary>
    private JudgedOriginal OriginalOf(FaceRegion region, Mat untouched)
    {
        if (!_originals.TryGetValue(region, out var original)) _originals[region] = original = JudgeOriginal(untouched, region);
        return original;
    }

    private JudgedOriginal JudgeOriginal(Mat untouched, FaceRegion region)
    {
        var chip = new Mat();
        FaceAligner.Align(untouched, JudgedAt(region), chip);
        return new JudgedOriginal(chip, Embedder);
    }

    /// <summary>A face counted as <paramref name="replaced"/> that came out too near its person after all: blurred, and counted so.</summary>
    private ReplacementOutcome BlurInstead(Mat frame, FaceRegion region, MaskOptions mask, ReplacementOutcome replaced)
    {
        Blur(frame, region, mask);
        Statistics.Reclassify(replaced, ReplacementOutcome.BlurredStillRecognized);
        return ReplacementOutcome.BlurredStillRecognized;
    }

    private ReplacementOutcome[] ApplyEach(Mat bgrFrame, IReadOnlyList<(FaceRegion Region, IdentityTransform Transform)> faces, MaskOptions mask)
    {
        if (faces.Count <= 1) return faces.Select(f => Apply(bgrFrame, f.Region, f.Transform, mask, untouched: null, keepOriginal: false)).ToArray();
        // With an untouched copy of the frame, checks follow the replacements and reuse each face's original.
        using var untouched = Options.SafetyCheck ? bgrFrame.Clone() : null;
        ReplacementOutcome ApplyOne(FaceRegion region, IdentityTransform transform) =>
            Apply(bgrFrame, region, transform, mask, untouched, keepOriginal: untouched is not null);

        var result = new ReplacementOutcome[faces.Count];
        var ordered = Enumerable.Range(0, faces.Count).Select(i => (faces[i].Region, faces[i].Transform, Index: i))
            .OrderBy(f => f.Region.Observed ? 1 : 0).ThenBy(f => f.Region.Score).ToList();
        // A second, less certain box on a face that gets replaced is that face found twice: its blur would only
        // smear the new face. It is left to the face it duplicates, and handled on its own only if that one is blurred.
        var duplicates = Enumerable.Range(0, ordered.Count)
            .Where(i => Enumerable.Range(i + 1, ordered.Count - i - 1).Any(j => NonMaxSuppression.IntersectionOverUnion(ordered[i].Region.Box, ordered[j].Region.Box) >= DuplicateOverlap))
            .ToHashSet();
        var deferred = duplicates.Select(i => ordered[i]).ToList();
        ordered = ordered.Where((_, i) => !duplicates.Contains(i)).ToList();
        var outcomes = ordered.Select(f => ApplyOne(f.Region, f.Transform)).ToList();
        for (var k = 0; k < ordered.Count; k++) result[ordered[k].Index] = outcomes[k];
        // The faces each duplicate box was left to (none: it was handled on its own).
        var leftTo = new List<int>[deferred.Count];
        for (var d = 0; d < deferred.Count; d++)
        {
            var duplicate = deferred[d];
            leftTo[d] = Enumerable.Range(0, ordered.Count).Where(k => outcomes[k].IsReplaced()
                && NonMaxSuppression.IntersectionOverUnion(duplicate.Region.Box, ordered[k].Region.Box) >= DuplicateOverlap).ToList();
            if (leftTo[d].Count > 0) Statistics.AddFace(result[duplicate.Index] = ReplacementOutcome.Replaced, TimeSpan.Zero);
            else result[duplicate.Index] = ApplyOne(duplicate.Region, duplicate.Transform);
        }
        if (untouched is null) return result;
        var areas = ordered.Select(f => SafeArea(bgrFrame, f.Region)).ToList();
        var deferredAreas = deferred.Select(d => SafeArea(bgrFrame, d.Region)).ToList();
        var replaced = outcomes.Select(o => o.IsReplaced()).ToArray();
        NeighbourRechecks.Settle(areas, replaced,
            changedLater: i => deferredAreas.Any(area => areas[i].IntersectsWith(area)),
            stillClear: i =>
            {
                if (ordered[i].Region.Landmarks.Length != 5) return true;
                using var now = new Mat();
                FaceAligner.Align(bgrFrame, JudgedAt(ordered[i].Region), now);
                return StillClear(bgrFrame, ordered[i].Region, OriginalOf(ordered[i].Region, untouched), now);
            },
            blur: i =>
            {
                result[ordered[i].Index] = BlurInstead(bgrFrame, ordered[i].Region, mask, outcomes[i]);
                var changed = new List<Rect> { areas[i] };
                // A duplicate box left to this face alone is that face too: blurred with it.
                for (var d = 0; d < deferred.Count; d++)
                {
                    if (!leftTo[d].Contains(i) || leftTo[d].Any(k => k != i && replaced[k]) || !result[deferred[d].Index].IsReplaced()) continue;
                    result[deferred[d].Index] = BlurInstead(bgrFrame, deferred[d].Region, mask, ReplacementOutcome.Replaced);
                    changed.Add(deferredAreas[d]);
                }
                return changed;
            });
        return result;
    }

    /// <summary>Replaces one face in place in a BGR frame; blurs it instead when it cannot be replaced safely.</summary>
    /// <param name="untouched">
    /// The frame before any face of it was changed, for the safety check and the face's landmarks; null when
    /// <paramref name="bgrFrame"/> still is.
    /// </param>
    public ReplacementOutcome Apply(Mat bgrFrame, FaceRegion region, IdentityTransform transform, MaskOptions mask, Mat? untouched = null) =>
        Apply(bgrFrame, region, transform, mask, untouched, keepOriginal: false);

    /// <param name="keepOriginal">
    /// Keep the face as it came in for the checks <see cref="ApplyAll"/> makes after all faces of the frame are
    /// replaced (it disposes of it then).
    /// </param>
    private ReplacementOutcome Apply(Mat bgrFrame, FaceRegion region, IdentityTransform transform, MaskOptions mask, Mat? untouched, bool keepOriginal)
    {
        if (bgrFrame.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR frame, got {bgrFrame.Type()}");
        var clock = Stopwatch.StartNew();
        var outcome = ReplacementOutcome.Replaced;
        JudgedOriginal? original = null;
        // The other new face this face ends up wearing; null for the person's own.
        IdentityTransform? wearing = null;
        try
        {
            outcome = Choose();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            outcome = ReplacementOutcome.BlurredAfterError;
        }
        finally
        {
            if (original is not null && (!keepOriginal || !_originals.TryAdd(region, original))) original.Dispose();
        }
        if (!outcome.IsReplaced()) Blur(bgrFrame, region, mask);
        else if (Options.KeepNewFaceAlongTrack) Wear(region.TrackId, transform, outcome == ReplacementOutcome.ReplacedByAlternate ? wearing : null);
        Statistics.AddFace(outcome, clock.Elapsed);
        return outcome;

        // Which new face the face gets (the person's own, one of their others, or none: blurred below), left in the frame.
        ReplacementOutcome Choose()
        {
            var safeArea = SafeArea(bgrFrame, region);
            using var before = Options.SafetyCheck && safeArea.Width > 0 && safeArea.Height > 0 ? bgrFrame.Clone(safeArea) : null;
            if (before is null)
            {
                outcome = Replace(bgrFrame, region, transform, mask, smooth: true, Options.SafetyCheck, untouched, ref original, out _);
                return outcome;
            }

            // Puts pixels of the face's area back into the frame: as it came in, or a new face tried earlier.
            void PutBack(Mat area)
            {
                using var target = new Mat(bgrFrame, safeArea);
                area.CopyTo(target);
            }

            // Once more from the face as it came in: a retry is judged by the retry's rule, and so is the
            // person's other new face.
            ReplacementOutcome Again(IdentityTransform attempt, bool alternate, ref JudgedOriginal? judged)
            {
                PutBack(before);
                var again = Replace(bgrFrame, region, attempt, mask, smooth: false, check: true, untouched, ref judged, out _, outright: alternate);
                if (alternate && again == ReplacementOutcome.Replaced)
                {
                    wearing = attempt;
                    return ReplacementOutcome.ReplacedByAlternate;
                }
                return again;
            }

            // Puts back a new face tried earlier, with the rule it passed and the face it was.
            void Restore(Mat kept, float? clearedBy, IdentityTransform? keptWearing)
            {
                PutBack(kept);
                if (original is not null) original.ClearedMargin = clearedBy;
                wearing = keptWearing;
            }

            // How far the new face as the landmarker reads it in the frame misses the original's pose and openings
            // (0: within every tolerance). Small donor faces only: a donor's features read a few degrees off there.
            var judgesFit = transform.Donors is not null && !IsLarge(region);
            FaceMeasures? measures = null;
            FaceMeasures Read(Mat frame) => FaceMeasures.From(Landmarker.Locate(frame, region.Box), bgrFrame.Size());
            double Miss()
            {
                if (measures is null)
                {
                    if (untouched is not null) measures = Read(untouched);
                    else
                    {
                        using var now = bgrFrame.Clone(safeArea);
                        PutBack(before);
                        measures = Read(bgrFrame);
                        PutBack(now);
                    }
                }
                var shares = measures.SharesOfTolerance(Read(bgrFrame));
                return Math.Max(0, shares.Pose - 1) + Math.Max(0, shares.Eyes - 1) + Math.Max(0, shares.Mouth - 1);
            }

            // The other new face this track wore on the frame before stays on while it clears the match distance
            // outright and keeps pose and openings as well as the person's own would: a person whose own new face is
            // too near on some frames would otherwise switch between two faces from frame to frame (Hamilton clip,
            // seed 2: the lead singer 16 times in 149 faces).
            if (WornBy(region.TrackId, transform) is { } worn)
            {
                outcome = Replace(bgrFrame, region, worn, mask, smooth: true, check: true, untouched, ref original, out _, outright: true);
                if (outcome == ReplacementOutcome.Replaced)
                {
                    (outcome, wearing) = (ReplacementOutcome.ReplacedByAlternate, worn);
                    var wornMiss = judgesFit ? Miss() : 0;
                    if (wornMiss <= 0) return outcome;
                    using var kept = bgrFrame.Clone(safeArea);
                    var keptBy = original?.ClearedMargin;
                    PutBack(before);
                    var own = Replace(bgrFrame, region, transform, mask, smooth: false, check: true, untouched, ref original, out var ownDistance);
                    if (own == ReplacementOutcome.Replaced && ownDistance > Embedder.MatchThreshold && Miss() < wornMiss)
                        (outcome, wearing) = (own, null);
                    else Restore(kept, keptBy, worn);
                    return outcome;
                }
                PutBack(before);
            }

            outcome = Replace(bgrFrame, region, transform, mask, smooth: true, check: true, untouched, ref original, out var judgedDistance);
            if (outcome == ReplacementOutcome.Replaced && judgedDistance <= Embedder.MatchThreshold && transform.Alternates.Count > 0)
            {
                // Accepted only because a blur of the person would be nearer still: the first of the other new
                // faces that clears the match distance outright is the safer one.
                using var accepted = bgrFrame.Clone(safeArea);
                var acceptedBy = original?.ClearedMargin;
                foreach (var safer in transform.Alternates)
                    if (Again(safer, alternate: true, ref original) is var other && other.IsReplaced()) { outcome = other; break; }
                if (outcome != ReplacementOutcome.ReplacedByAlternate) Restore(accepted, acceptedBy, null);
            }
            // Only where a track keeps the face it takes: where every frame stands alone (the editor), choosing
            // between two faces by how the landmarker reads each switched a person between them from frame to frame
            // (Hamilton clip, frames alone, seeds 0 / 2: 38 / 37 changes of treatment in 178 consecutive faces,
            // 11 / 17 without; docs/PERFORMANCE.md).
            if (outcome == ReplacementOutcome.Replaced && Options.KeepNewFaceAlongTrack && transform.Alternates is [var closer, ..] && judgesFit
                && Miss() is > 0 and var miss)
            {
                // Where the new face misses the original's pose or openings, the person's other new face is kept if
                // it misses them less.
                using var first = bgrFrame.Clone(safeArea);
                var firstBy = original?.ClearedMargin;
                if (Again(closer, alternate: true, ref original) is var other && other.IsReplaced() && Miss() < miss) outcome = other;
                else Restore(first, firstBy, null);
            }
            if (outcome == ReplacementOutcome.BlurredStillRecognized)
            {
                // Still too near the person: pushed further, then each of the person's other new faces as a first
                // try and as a retry, rather than a blur.
                var limit = ShadingChange.LimitFor(FaceSize(region));
                var stronger = transform.Donors is not null
                    ? transform with { Stronger = true }
                    : transform with { Shape = transform.Shape.Scaled(Options.Shape.MaxBoost), Shading = transform.Shading.Scaled(Options.Shape.MaxBoost, limit) };
                var tries = transform.Alternates.SelectMany(other => new[] { (other, true), (other with { Stronger = true }, true) }).Prepend((stronger, false));
                foreach (var (attempt, alternate) in tries)
                {
                    outcome = Again(attempt, alternate, ref original);
                    if (outcome != ReplacementOutcome.BlurredStillRecognized) break;
                }
            }
            return outcome;
        }
    }

    /// <summary>By track: the identity key it last got a new face under, and which of that person's other new faces it wore then.</summary>
    private readonly Dictionary<int, (string IdentityKey, int Alternate, bool Stronger)> _worn = [];

    /// <summary>The other new face of <paramref name="transform"/>'s person that <paramref name="trackId"/> wore when it last got a new face; null when it wore their own.</summary>
    private IdentityTransform? WornBy(int trackId, IdentityTransform transform)
    {
        if (!Options.KeepNewFaceAlongTrack) return null;
        lock (_worn)
        {
            if (!_worn.TryGetValue(trackId, out var last) || last.IdentityKey != transform.IdentityKey || last.Alternate >= transform.Alternates.Count) return null;
            var alternate = transform.Alternates[last.Alternate];
            return last.Stronger ? alternate with { Stronger = true } : alternate;
        }
    }

    /// <summary>Remembers which of <paramref name="transform"/>'s other new faces the track now wears (<paramref name="alternate"/>; null: the person's own).</summary>
    private void Wear(int trackId, IdentityTransform transform, IdentityTransform? alternate)
    {
        // A stronger retry is its new face with one flag set: found among the person's others with the flag cleared.
        var unstrengthened = alternate is null ? null : alternate with { Stronger = false };
        var index = -1;
        for (var i = 0; i < transform.Alternates.Count && unstrengthened is not null; i++)
            if (transform.Alternates[i] == unstrengthened) { index = i; break; }
        lock (_worn)
        {
            if (index < 0) _worn.Remove(trackId);
            else _worn[trackId] = (transform.IdentityKey, index, alternate!.Stronger);
        }
    }

    /// <param name="original">The face as it came in, judged by the check; aligned here on the first check, before the frame changes.</param>
    /// <param name="judgedDistance">How far from the person the first try's rule (<see cref="FarEnough"/>) judged the new face; NaN when it did not.</param>
    private ReplacementOutcome Replace(Mat frame, FaceRegion region, IdentityTransform transform, MaskOptions mask, bool smooth, bool check, Mat? untouched,
        ref JudgedOriginal? original, out float judgedDistance, bool outright = false)
    {
        judgedDistance = float.NaN;
        if (FaceSize(region) < Options.MinFaceSize) return ReplacementOutcome.BlurredTooSmall;
        // A donor's face on a doubtful detection (a hand, a pattern in the background) would put a face where there
        // was none: such regions are blurred, as every other method hides them.
        if (transform.Donors is not null && region.Score < DonorMinimumScore) return ReplacementOutcome.BlurredNoLandmarks;
        // A box the tracker carried on where the detector saw nothing (a missed frame, or past a cut) may hold no
        // face at all: the detector is asked again before a donor's face goes there.
        if (transform.Donors is not null && !region.Observed && _probe?.FindsFaceAt(untouched ?? frame, region.Box) != true) return ReplacementOutcome.BlurredNoLandmarks;
        if (region.Landmarks.Length != 5) return ReplacementOutcome.BlurredNoLandmarks;
        if (check) original ??= JudgeOriginal(untouched ?? frame, region);

        // Set when the new face was corrected as the frame shows it: where, and the correction's inverse.
        FrameCorrection? corrected = null;
        if (_generator is not null)
        {
            GenerateInto(frame, region, transform, mask);
        }
        else
        {
            var toCanonical = CanonicalFace.TransformFor(region.Landmarks, CanonicalFace.Size);
            // The geometry is read where no neighbour has been changed yet: a doubtful box over the forehead, blurred
            // first, made the landmarker read the face beneath turned by 10 degrees, and the new face followed it
            // (Hamilton clip). The pixels still come from the frame as it is, so a blurred neighbour stays blurred.
            var (points, upright, reading) = CanonicalLandmarks(untouched ?? frame, region, toCanonical);
            // Donors need only the five points to stand on the face: a hand or microphone over the mouth that
            // confuses the 68 landmarks still gets a face (the donors' expression) rather than a blur.
            if (!upright && (transform.Donors is null || region.Score < FivePointMinimumScore || !FivePointsFit(region.Landmarks, toCanonical))) return ReplacementOutcome.BlurredNoLandmarks;
            WarpToCanonical(frame, toCanonical, CanonicalFace.Size, _canonical);
            if (points is null)
            {
                RenderWithoutLandmarks(_canonical, transform, mask);
            }
            else
            {
                if (smooth) points = _smoother.Smooth(region.TrackId, points);
                Render(_canonical, points, transform, mask, IsLarge(region), CanonicalBox(region.Box, toCanonical));
            }
            // The same rule as the correction in the canonical frame: the stronger retry goes without it.
            if (points is not null && transform.Donors is not null && !transform.Stronger && !IsLarge(region))
            {
                corrected = _correction.InFrame(frame, region, toCanonical, reading);
            }
            else
            {
                Paste(frame, toCanonical, _face, _mask);
            }
        }

        if (original is null) return ReplacementOutcome.Replaced;
        original.ClearedMargin = null;
        using var replacedChip = new Mat();
        FaceAligner.Align(frame, JudgedAt(region), replacedChip);
        if (corrected is { } correction)
        {
            // The correction moves the new face towards the person's own geometry: like a retry, it must then clear
            // the match distance outright, also once encoded (Hamilton clip rendered: 2 corrected faces within 0.6
            // after x264 under the fair rule alone). Eyelids moved onto the person's own squint bring it nearer
            // still: that face must clear the first try's wider margin, or goes back to the whole-face correction.
            // Otherwise the face goes back to how it was rendered.
            if (correction.Eyelids)
            {
                if (ClearOfThreshold(frame, region, original, replacedChip, Options.SafetyMargin)) return Cleared(original, Options.SafetyMargin);
                _correction.BackToWholeFace(frame, correction);
                FaceAligner.Align(frame, JudgedAt(region), replacedChip);
            }
            if (correction.WholeFace && ClearOfThreshold(frame, region, original, replacedChip, Options.RetryMargin)) return Cleared(original, Options.RetryMargin);
            _correction.BackToRendered(frame, correction);
            FaceAligner.Align(frame, JudgedAt(region), replacedChip);
        }
        // A donor face's stronger retry is the second chance of a face the recognizer matched: it must clear the match
        // distance outright, not only the blurred original (Hamilton clip: accepting it by that fair rule, as the
        // first try is, let the recognizer put 3 % of the confident faces within 0.6), and stay clear of it once encoded.
        var retry = (transform.Stronger || outright) && transform.Donors is not null;
        if (retry) return ClearOfThreshold(frame, region, original, replacedChip, Options.RetryMargin) ? Cleared(original, Options.RetryMargin) : ReplacementOutcome.BlurredStillRecognized;
        return FarEnough(original, replacedChip, out judgedDistance) ? ReplacementOutcome.Replaced : ReplacementOutcome.BlurredStillRecognized;

        static ReplacementOutcome Cleared(JudgedOriginal judged, float margin)
        {
            judged.ClearedMargin = margin;
            return ReplacementOutcome.Replaced;
        }
    }

    /// <summary>Whether a replaced face, looked at again, still passes the rule its new face passed when it was kept.</summary>
    private bool StillClear(Mat frame, FaceRegion region, JudgedOriginal original, Mat replacedChip) =>
        original.ClearedMargin is { } margin ? ClearOfThreshold(frame, region, original, replacedChip, margin) : FarEnough(original, replacedChip, out _);

    /// <summary>
    /// Whether a replaced face (its recognizer chip) is safely far from the original: beyond the match distance by
    /// the safety margin, or, on small or dark faces where the recognizer puts any featureless blob near the person,
    /// farther than a heavily blurred copy of the original by that margin (the fair leak rule, see IdentityLeakJudge).
    /// </summary>
    private bool FarEnough(JudgedOriginal original, Mat replacedChip, out float distance)
    {
        distance = original.DistancesTo(replacedChip)[0];
        if (distance > Embedder.MatchThreshold + Options.SafetyMargin) return true;
        return distance > original.BlurredDistance + Options.SafetyMargin;
    }

    /// <summary>
    /// Whether a retried face is beyond the match distance by <see cref="ReplacementOptions.RetryMargin"/>, both as
    /// rendered and as lossy encoding leaves it: its area of the frame goes through a JPEG round trip at
    /// <see cref="EncodedQuality"/> at the frame's own resolution, where a video encoder works too. The part of the
    /// safety margin that stands for encoding is measured here rather than assumed.
    /// </summary>
    private bool ClearOfThreshold(Mat frame, FaceRegion region, JudgedOriginal original, Mat replacedChip, float margin)
    {
        var area = SafeArea(frame, region);
        using var crop = new Mat(frame, area);
        Cv2.ImEncode(".jpg", crop, out var bytes, [(int)ImwriteFlags.JpegQuality, EncodedQuality]);
        using var encoded = Cv2.ImDecode(bytes, ImreadModes.Color);
        using var encodedChip = new Mat();
        FaceAligner.Align(encoded, JudgedAt(region.Shifted(area.X, area.Y)), encodedChip);
        var distances = original.DistancesTo(replacedChip, encodedChip);
        var line = Embedder.MatchThreshold + margin;
        return distances[0] > line && distances[1] > line;
    }

    /// <summary>
    /// Where a safety check aligns the recognizer's chip: at the detector's own points on the frame, as a recognizer
    /// looking at the frame would, rather than at the track's smoothed points the new face is placed by. On a 40 px
    /// face the two differ by a few pixels, and a new face judged at the smoothed points came out nearer the person
    /// at the detected ones (Hamilton clip, seed 1).
    /// </summary>
    private static Point2f[] JudgedAt(FaceRegion region) => region.DetectedLandmarks is { Length: 5 } detected ? detected : region.Landmarks;

    /// <summary>JPEG quality of the encoding a retried face must survive: a little coarser than the render's x264 at CRF 18.</summary>
    private const int EncodedQuality = 85;

    /// <summary>The new face in the canonical frame, into <see cref="_face"/> and <see cref="_mask"/>: from the transform's donors, or the hand-made transform.</summary>
    private void Render(Mat canonical, Point2f[] points, IdentityTransform transform, MaskOptions mask, bool largeFace, Rect2f box)
    {
        if (transform.Donors is { } mix && _donors is not null)
        {
            _donorRenderer.Render(canonical, points, DonorsOf(mix), mask, _face, _mask, transform.Stronger);
            // The stronger retry goes without the correction: it moves the new face back towards the person's own
            // geometry, which is what the recognizer still matched (Hamilton clip: 6-13 % more confident faces stayed
            // faces rather than blurs).
            if (!transform.Stronger) _correction.InCanonical(canonical, box, largeFace);
        }
        else
        {
            _renderer.Render(canonical, points, transform, Options.Shape, mask, _face, _mask, largeFace);
        }
    }

    private void RenderWithoutLandmarks(Mat canonical, IdentityTransform transform, MaskOptions mask)
    {
        if (transform.Donors is { } mix && _donors is not null)
            _donorRenderer.RenderWithoutLandmarks(canonical, DonorsOf(mix), mask, _face, _mask, transform.Stronger);
        else
            _renderer.RenderWithoutLandmarks(canonical, transform, mask, _face, _mask);
    }

    private List<(DonorFace, float)> DonorsOf(DonorMix mix) => mix.Donors.Select((d, i) => (_donors!.Faces[d], mix.Weights[i])).ToList();

    private void GenerateInto(Mat frame, FaceRegion region, IdentityTransform transform, MaskOptions mask)
    {
        var generator = _generator!;
        var toCanonical = CanonicalFace.TransformFor(region.Landmarks, generator.Size);
        using var crop = new Mat();
        WarpToCanonical(frame, toCanonical, generator.Size, crop);
        using var image = new Mat();
        using var predicted = new Mat();
        generator.Generate(crop, transform.TargetIdentity(), image, predicted);
        if (mask.Feather > 0)
        {
            // The predicted mask is the model's; the user's feather softens its edge a little more.
            var sigma = Math.Max(0.5, mask.Feather * 0.02 * generator.Size);
            Cv2.GaussianBlur(predicted, predicted, new Size(0, 0), sigma);
        }
        Paste(frame, toCanonical, image, predicted);
    }

    /// <summary>Whether the five points sit on the canonical template after alignment: a face, upright, not a distorted guess.</summary>
    private static bool FivePointsFit(ReadOnlySpan<Point2f> fivePoints, double[,] toCanonical)
    {
        var template = CanonicalFace.Template(CanonicalFace.Size);
        var mapped = CanonicalFace.Map(toCanonical, fivePoints);
        for (var i = 0; i < mapped.Length; i++)
            if (Face68.Distance(mapped[i], template[i]) > FivePointTolerance * CanonicalFace.Size) return false;
        return true;
    }

    /// <summary>Detections less certain than this get no donor face.</summary>
    private const float DonorMinimumScore = 0.7f;

    /// <summary>A less certain box overlapping a replaced face by this much (IoU) is the same face found twice.</summary>
    private const float DuplicateOverlap = 0.3f;

    /// <summary>A face whose 68 landmarks fail gets donors on its five points only when the detector is this sure it is a face.</summary>
    private const float FivePointMinimumScore = 0.85f;

    /// <summary>How far (share of the canonical side) an aligned five-point landmark may sit off the template.</summary>
    private const float FivePointTolerance = 0.06f;

    /// <summary>A face's size in pixels: the smaller side of its box.</summary>
    private static float FaceSize(FaceRegion region) => MathF.Min(region.Box.Width, region.Box.Height);

    private static bool IsLarge(FaceRegion region) => FaceSize(region) >= ShadingChange.LargeFace;

    /// <summary>
    /// The 68 landmarks in the canonical frame, null when they do not form a plausible face there (the face is then
    /// changed without them); and whether the face stands upright at all (eyes above the mouth, in the right order).
    /// A face that does not is blurred: its five points, and so the canonical frame, are wrong. Also the reading
    /// itself, in frame pixels.
    /// </summary>
    private (Point2f[]? Points, bool Upright, Point2f[] Reading) CanonicalLandmarks(Mat frame, FaceRegion region, double[,] toCanonical)
    {
        var reading = Landmarker.Locate(frame, region.Box);
        var points = CanonicalFace.Map(toCanonical, reading);
        if (points.Any(p => !float.IsFinite(p.X) || !float.IsFinite(p.Y))) return (null, false, reading);
        var rightEye = Face68.Centre(points, Face68.RightEye);
        var leftEye = Face68.Centre(points, Face68.LeftEye);
        var eyes = (rightEye.Y + leftEye.Y) / 2;
        var mouth = Face68.Centre(points, Face68.OuterMouth).Y;
        if (!(eyes < mouth) || rightEye.X >= leftEye.X) return (null, false, reading);
        const float size = CanonicalFace.Size;
        foreach (var p in points)
        {
            if (p.X < -0.1f * size || p.X > 1.1f * size || p.Y < -0.1f * size || p.Y > 1.1f * size) return (null, true, reading);
        }
        var nose = points[Face68.NoseTip].Y;
        var chin = points[8].Y;
        return eyes < nose && nose < mouth && mouth < chin ? (points, true, reading) : (null, true, reading);
    }

    private void Blur(Mat frame, FaceRegion region, MaskOptions mask)
    {
        if (_fallback is null || _fallback.Mask != mask)
        {
            _fallback?.Dispose();
            _fallback = new FaceCompositor(new BlurAnonymizer(1f), mask);
        }
        _fallback.Apply(frame, [region]);
    }

    public void Dispose()
    {
        if (_ownsModels) _models.Dispose();
        _renderer.Dispose();
        _donorRenderer.Dispose();
        if (_ownsDonors) _donors?.Dispose();
        (_generator as IDisposable)?.Dispose();
        _fallback?.Dispose();
        _canonical.Dispose();
        _face.Dispose();
        _mask.Dispose();
        _correction?.Dispose();
    }
}
