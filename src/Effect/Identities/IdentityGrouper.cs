namespace Deid.Effect.Identities;

/// <summary>
/// Groups tracks into people by average-linkage clustering of their embeddings: the two closest groups merge while
/// their mean pairwise distance is within <see cref="IdentityOptions.MatchDistance"/>. Works across cuts and
/// returns; two tracks that are on screen at the same time are never one person.
/// </summary>
public sealed class IdentityGrouper(IdentityOptions options)
{
    /// <summary>A track as the grouper sees it.</summary>
    public sealed record TrackSummary(int TrackId, int FirstFrame, int LastFrame, float[][] Embeddings, byte[][] Thumbnails, float Quality)
    {
        /// <summary>The track's best faces, kept losslessly (best first).</summary>
        public IReadOnlyList<FaceSample> Samples { get; init; } = [];
    }

    public IReadOnlyList<Identity> Group(IReadOnlyList<TrackSummary> tracks)
    {
        var groups = tracks.Where(t => t.Embeddings.Length > 0).Select(t => new List<TrackSummary> { t }).ToList();
        var n = groups.Count;
        // Mean pairwise embedding distance between groups and whether they share screen time, kept up to date as
        // groups merge (a merged group's mean distance is the size-weighted mean of its parts'), so each merge costs
        // one pass over the groups instead of recomputing every embedding pair.
        var distance = new double[n, n];
        var overlap = new bool[n, n];
        var size = groups.Select(g => g[0].Embeddings.Length).ToArray();
        for (var a = 0; a < n; a++)
        {
            for (var b = a + 1; b < n; b++)
            {
                distance[a, b] = distance[b, a] = MeanDistance(groups[a][0], groups[b][0]);
                overlap[a, b] = overlap[b, a] = Overlap(groups[a][0], groups[b][0]);
            }
        }
        var alive = Enumerable.Repeat(true, n).ToArray();
        while (true)
        {
            var best = (A: -1, B: -1, Distance: double.MaxValue);
            for (var a = 0; a < n; a++)
            {
                if (!alive[a]) continue;
                for (var b = a + 1; b < n; b++)
                {
                    if (!alive[b] || overlap[a, b]) continue;
                    if (distance[a, b] < best.Distance) best = (a, b, distance[a, b]);
                }
            }
            if (best.A < 0 || best.Distance > options.MatchDistance) break;

            var (keep, gone) = (best.A, best.B);
            for (var c = 0; c < n; c++)
            {
                if (!alive[c] || c == keep || c == gone) continue;
                distance[keep, c] = distance[c, keep] = (size[keep] * distance[keep, c] + size[gone] * distance[gone, c]) / (size[keep] + size[gone]);
                overlap[keep, c] = overlap[c, keep] = overlap[keep, c] || overlap[gone, c];
            }
            size[keep] += size[gone];
            groups[keep].AddRange(groups[gone]);
            alive[gone] = false;
        }

        return groups.Where((_, index) => alive[index])
            .OrderBy(g => g.Min(t => t.FirstFrame))
            .Select((g, index) =>
            {
                var embeddings = g.SelectMany(t => t.Embeddings).ToList();
                return new Identity(index + 1, g.Select(t => t.TrackId).Order().ToList(), g.Min(t => t.FirstFrame), g.Max(t => t.LastFrame),
                    Centroid(embeddings), embeddings)
                {
                    Thumbnails = g.OrderByDescending(t => t.Quality).SelectMany(t => t.Thumbnails.Take(1)).Take(options.ThumbnailsPerIdentity).ToList(),
                    Samples = SamplesOf(g, options.SamplesPerIdentity),
                };
            })
            .ToList();
    }

    /// <summary>
    /// A person's samples, drawn from their tracks in proportion to each track's length (highest average first, as
    /// seats are shared out by votes), each track's best faces first. Replace plans the person's one new face on
    /// these, so they should look like the faces it will cover. Hamilton clip: the lead singer (a long track) and a
    /// 40 px face of him at the edge (a short one) are one person; planned on the best face of each, his new face kept
    /// pose on 90-118 of his 121 confident faces (seeds 0, 1, 2, 3, 5), planned on four of his own on 107-116, and
    /// was blurred as still recognized less often.
    /// </summary>
    internal static IReadOnlyList<FaceSample> SamplesOf(IReadOnlyList<TrackSummary> tracks, int count)
    {
        var taken = new int[tracks.Count];
        var samples = new List<FaceSample>(count);
        while (samples.Count < count)
        {
            var next = -1;
            for (var i = 0; i < tracks.Count; i++)
            {
                if (taken[i] >= tracks[i].Samples.Count) continue;
                if (next < 0 || Share(tracks[i], taken[i]) > Share(tracks[next], taken[next])) next = i;
            }
            if (next < 0) break;
            samples.Add(tracks[next].Samples[taken[next]++]);
        }
        return samples;

        static double Share(TrackSummary track, int taken) => (track.LastFrame - track.FirstFrame + 1.0) / (taken + 1);
    }

    private static bool Overlap(TrackSummary a, TrackSummary b) => a.FirstFrame <= b.LastFrame && b.FirstFrame <= a.LastFrame;

    private static double MeanDistance(TrackSummary a, TrackSummary b)
    {
        double sum = 0;
        foreach (var x in a.Embeddings)
            foreach (var y in b.Embeddings) sum += EmbeddingMath.Distance(x, y);
        return sum / (a.Embeddings.Length * b.Embeddings.Length);
    }

    private static float[] Centroid(List<float[]> embeddings)
    {
        var centroid = new float[embeddings[0].Length];
        foreach (var e in embeddings)
            for (var i = 0; i < centroid.Length; i++) centroid[i] += e[i] / embeddings.Count;
        return centroid;
    }
}
