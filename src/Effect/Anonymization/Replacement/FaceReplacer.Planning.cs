using System.Diagnostics;
using Deid.Effect.Anonymization.Replacement.Donors;
using Deid.Effect.Evaluation;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using OpenCvSharp;
using static Deid.Effect.Anonymization.Replacement.FacePlacement;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>Planning: the new faces of one identity, chosen once from its sample faces.</summary>
public sealed partial class FaceReplacer
{
    /// <summary>
    /// Chooses the transform for one identity from some of its faces (frame + region); deterministic for
    /// (seed, identityKey, samples). Samples whose landmarks cannot be placed are skipped; with none left, the
    /// first seeded candidate is taken unmeasured (and <see cref="Apply"/>'s safety check still guards each face).
    /// </summary>
    public IdentityTransform Plan(string identityKey, IReadOnlyList<(Mat Frame, FaceRegion Region)> samples)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(StableSeed(Options.Seed, identityKey));
        var candidates = new List<IdentityTransform>(Math.Max(1, Options.Candidates));
        for (var i = 0; i < Math.Max(1, Options.Candidates); i++)
        {
            candidates.Add(new IdentityTransform(identityKey, Options.Seed, FaceShapeChange.Random(random, 0.55f), SkinChange.Random(random))
            {
                Shading = ShadingChange.Random(random),
            });
        }

        var prepared = new List<SampleFace>();
        float[][] originals = [];
        try
        {
            foreach (var (frame, region) in samples)
            {
                if (prepared.Count >= Options.MaxSamples) break;
                if (SampleFace.Create(frame, region, this) is { } sample) prepared.Add(sample);
            }
            if (prepared.Count == 0)
            {
                // Nothing to measure the person by, so nobody can be left out of the mix: the seed alone picks the
                // donors, and the safety check guards each face (a person who is also a donor is blurred, not shown).
                if (_donors is not null && _generator is null && DonorMixes(random, []) is { Count: > 0 } seeded)
                {
                    var seededFace = candidates[0] with { Shape = FaceShapeChange.None, Donors = seeded[0], CandidatesTried = 0 };
                    var faces = new List<DonorMix> { seeded[0] };
                    foreach (var mix in seeded)
                        if (faces.Count <= OtherNewFaces && faces.All(face => !face.Donors.ToHashSet().SetEquals(mix.Donors))) faces.Add(mix);
                    return Finish(seededFace with { Alternates = faces.Skip(1).Select(mix => seededFace with { Donors = mix }).ToList() });
                }
                return Finish(candidates[0] with { CandidatesTried = 0 });
            }

            originals = Embedder.Embed(prepared.Select(s => s.OriginalChip).ToList());
            var person = new float[IdentityTransform.EmbeddingLength];
            foreach (var original in originals)
                for (var i = 0; i < person.Length; i++) person[i] += original[i] / originals.Length;
            // Donors only for a person the detector is sure of: on a doubtful track (a pattern in the curtain, a hand)
            // a donor's face would put a face where there was none; the built-in transform only changes what is there.
            var sure = prepared.Select(s => s.Score).Order().ElementAt(prepared.Count / 2) >= DonorIdentityScore;
            if (_donors is not null && _generator is null && sure && DonorMixes(random, originals) is { Count: > 0 } mixes)
            {
                candidates = mixes.Select(mix => new IdentityTransform(identityKey, Options.Seed, FaceShapeChange.None, SkinChange.Random(random)) { Donors = mix }).ToList();
            }
            var medianSize = prepared.Select(s => s.Size).Order().ElementAt(prepared.Count / 2);
            var strongest = ShadingChange.LimitFor(medianSize);
            var driftWeight = medianSize >= ShadingChange.LargeFace ? LargeFaceDriftWeight : 1f;
            var best = candidates[0];
            var bestDistance = float.NegativeInfinity;
            var tried = 0;
            var bestScore = float.NegativeInfinity;
            var measuredMixes = new List<(IdentityTransform Transform, float Score)>();
            // A candidate counts as far enough only when it also keeps pose and eye and mouth opening on every
            // sample (as the landmarker reads them) and, made from donors, is none of them either; among the others
            // the best trade of distance against drift and donor likeness wins. Distance beyond the target buys
            // nothing more: there a candidate that keeps the expression better is the better one.
            bool Reached() => bestDistance >= Options.TargetDistance && bestScore >= Options.TargetDistance - 1e-6f;
            void Consider(IdentityTransform candidate)
            {
                var (distance, drift, donorDistance) = Measure(candidate);
                tried++;
                var score = Score(distance, drift, donorDistance, driftWeight);
                var measured = candidate with { PlannedDistance = distance, PlannedDonorDistance = candidate.Donors is null ? float.NaN : donorDistance, CandidatesTried = tried };
                if (candidate.Donors is not null) measuredMixes.Add((measured, score));
                if (score > bestScore) (best, bestDistance, bestScore) = (measured, distance, score);
            }
            var next = 0;
            for (; next < candidates.Count && !Reached(); next++) Consider(candidates[next]);
            if (best.Donors is not null)
                return Finish(best with { TargetEmbedding = IdentityTransform.TargetFrom(person, best.Skin.NoiseSeed), Alternates = AlternatesTo(best, measuredMixes, new Queue<IdentityTransform>(candidates.Skip(next)), driftWeight, person) });

            // Not far enough yet: search the shading regions one at a time (the recognizer reads small faces mostly
            // from their low-frequency shape), each flipped or strengthened, keeping whatever moves the face further.
            // The first pass stays within the natural amplitude; only a person it cannot move far enough gets more.
            for (var pass = 0; pass < Options.ShadingSearchPasses && !Reached(); pass++)
            {
                var limit = pass == 0 ? ShadingChange.NaturalAmplitude : strongest;
                for (var k = 0; k < ShadingBasis.Count && !Reached(); k++)
                {
                    var current = best;
                    var amplitude = current.Shading.Amplitudes[k];
                    Consider(current with { Shading = current.Shading.With(k, -amplitude, limit) });
                    if (!Reached()) Consider(current with { Shading = current.Shading.With(k, 2 * amplitude, limit) });
                }
            }
            // Still not far enough: push the shape beyond its limits (the brows excepted) and the shading further, up to MaxBoost.
            var unboosted = best;
            foreach (var boost in new[] { 1.3f, 1.6f, 2.0f })
            {
                if (Reached() || boost > Options.Shape.MaxBoost + 1e-3f) break;
                Consider(unboosted with { Shape = unboosted.Shape.Scaled(boost), Shading = unboosted.Shading.Scaled(boost, strongest) });
            }
            return Finish(best! with { TargetEmbedding = IdentityTransform.TargetFrom(person, best.Skin.NoiseSeed) });
        }
        finally
        {
            foreach (var sample in prepared) sample.Dispose();
        }

        // The smallest distance from the person over the samples replaced by this candidate, and the largest drift
        // of pose and expression it causes; and the smallest distance from any of its donors (infinite without donors).
        (float Distance, float Drift, float DonorDistance) Measure(IdentityTransform candidate)
        {
            var drift = 0f;
            var chips = prepared.Select(sample => sample.Replaced(candidate, this, ref drift)).ToList();
            try
            {
                var embeddings = Embedder.Embed(chips);
                var distance = float.PositiveInfinity;
                for (var i = 0; i < embeddings.Length; i++) distance = MathF.Min(distance, Embedder.Distance(originals[i], embeddings[i]));
                var donorDistance = float.PositiveInfinity;
                if (candidate.Donors is { } mix && _donors is not null)
                    foreach (var donor in mix.Donors)
                        foreach (var embedding in embeddings) donorDistance = MathF.Min(donorDistance, Embedder.Distance(embedding, _donors.Faces[donor].Embedding));
                return (distance, drift, donorDistance);
            }
            finally
            {
                foreach (var chip in chips) chip.Dispose();
            }
        }

        // Other donor mixes, each of donor faces none of the faces before it is made of, for the faces where those
        // stay too near the person: each the best of those measured already, or of the next few, the first that
        // reaches the target (those measured for one are there for the next).
        List<IdentityTransform> AlternatesTo(IdentityTransform chosen, List<(IdentityTransform Transform, float Score)> measured, Queue<IdentityTransform> rest,
            float driftWeight, float[] person)
        {
            var taken = new List<HashSet<int>> { chosen.Donors!.Donors.ToHashSet() };
            var alternates = new List<IdentityTransform>();
            bool Other(IdentityTransform candidate) => taken.All(faces => !faces.SetEquals(candidate.Donors!.Donors));
            bool Reaches(IdentityTransform candidate, float score) => candidate.PlannedDistance >= Options.TargetDistance && score >= Options.TargetDistance - 1e-6f;
            while (alternates.Count < OtherNewFaces)
            {
                IdentityTransform? alternate = null;
                var alternateScore = float.NegativeInfinity;
                foreach (var (transform, score) in measured)
                    if (Other(transform) && score > alternateScore) (alternate, alternateScore) = (transform, score);
                for (var tried = 0; (alternate is null || !Reaches(alternate, alternateScore)) && tried < AlternatesMeasured && rest.TryDequeue(out var candidate);)
                {
                    if (!Other(candidate)) continue;
                    tried++;
                    var (distance, drift, donorDistance) = Measure(candidate);
                    var score = Score(distance, drift, donorDistance, driftWeight);
                    var measuredNow = candidate with { PlannedDistance = distance, PlannedDonorDistance = donorDistance };
                    measured.Add((measuredNow, score));
                    if (score > alternateScore) (alternate, alternateScore) = (measuredNow, score);
                }
                if (alternate is null) break;
                taken.Add(alternate.Donors!.Donors.ToHashSet());
                alternates.Add(alternate with { TargetEmbedding = IdentityTransform.TargetFrom(person, alternate.Skin.NoiseSeed) });
            }
            return alternates;
        }

        // Distance beyond the target buys nothing; drift of pose and expression and likeness to a donor cost.
        float Score(float distance, float drift, float donorDistance, float driftWeight) =>
            MathF.Min(distance, Options.TargetDistance) - driftWeight * drift - MathF.Max(0, DonorSeparation - donorDistance);

        IdentityTransform Finish(IdentityTransform chosen)
        {
            Statistics.AddPlan(clock.Elapsed);
            return chosen;
        }
    }

    /// <summary>
    /// Seeded donor mixes for a person: two donors of different people (neither the person, by the recognizer's
    /// rule with a margin), blended 35-65 %; one donor alone when the folder holds a single other person.
    /// </summary>
    private List<DonorMix> DonorMixes(Random random, float[][] originals)
    {
        var eligible = Enumerable.Range(0, _donors!.Faces.Count)
            .Where(d => originals.All(o => Embedder.Distance(o, _donors.Faces[d].Embedding) >= Options.DonorMinimumDistance))
            .ToList();
        var people = eligible.GroupBy(d => _donors.Faces[d].Person).Select(g => g.ToList()).ToList();
        var mixes = new List<DonorMix>();
        if (people.Count == 0) return mixes;
        for (var c = 0; c < Math.Max(1, Options.DonorCandidates); c++)
        {
            if (people.Count == 1)
            {
                mixes.Add(new DonorMix([people[0][random.Next(people[0].Count)]], [1f]));
                continue;
            }
            var first = random.Next(people.Count);
            var second = (first + 1 + random.Next(people.Count - 1)) % people.Count;
            var weight = 0.35f + 0.3f * random.NextSingle();
            mixes.Add(new DonorMix([people[first][random.Next(people[first].Count)], people[second][random.Next(people[second].Count)]], [weight, 1 - weight]));
        }
        return mixes;
    }

    /// <summary>
    /// A face made from donors must be at least this far from each of them (0.6 = same person): the new face is to
    /// be nobody's, the donors' included.
    /// </summary>
    private const float DonorSeparation = 0.65f;

    /// <summary>Donor mixes measured for each of an identity's other new faces, at most.</summary>
    private const int AlternatesMeasured = 6;

    /// <summary>
    /// How many other new faces a person gets. Hamilton clip, donors, seeds 0 and 5: a third face instead of a blur
    /// took still a face from 93.0 / 95.7 % to 95.2 / 96.2 % and, at seed 5, the lead singer's last face within 0.6.
    /// </summary>
    private const int OtherNewFaces = 2;

    /// <summary>
    /// How much a candidate's drift of pose and expression counts against its distance when the person's faces are
    /// large. On a portrait the landmarker reads the few samples closely, so their drift foretells the face's: with
    /// 32 mixes and drift counted once, the photos' widest smile got the farthest mix, which closed the mouth (mouth
    /// opening kept on 21 of 23 faces; 23 counted twice). On small faces the reading is noisy and the samples are not
    /// the frames that fail: counted twice, drift cost the Hamilton clip pose (median over seeds 0-6 81.7 % against
    /// 83.3 %) and faces the safety check then blurred, so there it counts once.
    /// </summary>
    private const float LargeFaceDriftWeight = 2f;

    /// <summary>A person gets donors only when their sample faces' median detection score reaches this.</summary>
    private const float DonorIdentityScore = 0.85f;

    /// <summary>A seed from the user's seed and the identity's key that is the same in every process (unlike string.GetHashCode).</summary>
    internal static int StableSeed(int seed, string key)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var b in BitConverter.GetBytes(seed)) hash = (hash ^ b) * 16777619u;
            foreach (var ch in key) hash = (hash ^ ch) * 16777619u;
            return (int)(hash & 0x7FFFFFFF);
        }
    }

    /// <summary>One identity sample, cut out around its face so candidates can be tried on a small copy.</summary>
    private sealed class SampleFace : IDisposable
    {
        private readonly Mat _area;
        private readonly Mat _canonical;
        private readonly FaceRegion _region;
        private readonly double[,] _toCanonical;
        private readonly Point2f[]? _points;

        private readonly FaceMeasures _measures;

        private SampleFace(Mat area, FaceRegion region, double[,] toCanonical, Point2f[]? points, Mat canonical, Mat originalChip, FaceMeasures measures)
        {
            _measures = measures;
            _area = area;
            _region = region;
            _toCanonical = toCanonical;
            _points = points;
            _canonical = canonical;
            OriginalChip = originalChip;
        }

        public Mat OriginalChip { get; }

        public float Size => FaceSize(_region);

        public float Score => _region.Score;

        public static SampleFace? Create(Mat frame, FaceRegion region, FaceReplacer replacer)
        {
            if (FaceSize(region) < replacer.Options.MinFaceSize || region.Landmarks.Length != 5) return null;
            var bounds = FaceEllipse.From(region, 1f).Bounds(2.2f, frame.Width, frame.Height);
            if (bounds.Width <= 0 || bounds.Height <= 0) return null;
            var area = new Mat(frame, bounds).Clone();
            var local = region.Shifted(bounds.X, bounds.Y);
            var toCanonical = CanonicalFace.TransformFor(local.Landmarks, CanonicalFace.Size);
            var (points, upright, _) = replacer.CanonicalLandmarks(area, local, toCanonical);
            if (!upright) { area.Dispose(); return null; }
            var canonical = new Mat();
            WarpToCanonical(area, toCanonical, CanonicalFace.Size, canonical);
            var chip = new Mat();
            FaceAligner.Align(area, local.Landmarks, chip);
            var measures = FaceMeasures.From(replacer.Landmarker.Locate(area, local.Box), area.Size());
            return new SampleFace(area, local, toCanonical, points, canonical, chip, measures);
        }

        /// <summary>
        /// The recognizer's chip of this face replaced by <paramref name="transform"/>; raises <paramref name="drift"/>
        /// to how far the replacement moved pose and expression here (<see cref="Drift"/>).
        /// </summary>
        public Mat Replaced(IdentityTransform transform, FaceReplacer replacer, ref float drift)
        {
            using var copy = _area.Clone();
            if (replacer._generator is not null)
            {
                replacer.GenerateInto(copy, _region, transform, new MaskOptions());
            }
            else
            {
                if (_points is null) replacer.RenderWithoutLandmarks(_canonical, transform, new MaskOptions());
                else replacer.Render(_canonical, _points, transform, new MaskOptions(), IsLarge(_region), CanonicalBox(_region.Box, _toCanonical));
                Paste(copy, _toCanonical, replacer._face, replacer._mask);
            }
            drift = MathF.Max(drift, Drift(_measures, FaceMeasures.From(replacer.Landmarker.Locate(copy, _region.Box), copy.Size())));
            var chip = new Mat();
            FaceAligner.Align(copy, _region.Landmarks, chip);
            return chip;
        }

        /// <summary>
        /// 0 while pose and openings stay well inside the tolerances of <see cref="FaceMeasures"/> (two thirds of
        /// them, so other frames, read with other landmark noise, still pass); beyond, a penalty in distance units.
        /// </summary>
        private static float Drift(FaceMeasures before, FaceMeasures after)
        {
            var pose = (float)before.Pose.LargestDifference(after.Pose);
            var eyes = MathF.Abs(after.EyeOpening - before.EyeOpening) / MathF.Max(before.EyeOpening, 1e-3f);
            var mouth = MathF.Abs(after.MouthOpening - before.MouthOpening);
            var mouthAllowed = MathF.Max(FaceMeasures.OpeningTolerance * before.MouthOpening, FaceMeasures.MouthOpeningFloor) * 2 / 3;
            const float share = 2f / 3;
            return 0.05f * MathF.Max(0, pose - share * (float)FaceMeasures.PoseToleranceDegrees)
                + MathF.Max(0, eyes - share * FaceMeasures.OpeningTolerance)
                + 2 * MathF.Max(0, mouth - mouthAllowed);
        }

        public void Dispose()
        {
            _area.Dispose();
            _canonical.Dispose();
            OriginalChip.Dispose();
        }
    }
}
