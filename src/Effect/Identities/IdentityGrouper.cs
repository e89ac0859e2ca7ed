namespace Deid.Effect.Identities;

/// <summary>
/// Groups tracks into people by average-linkage clustering of their embeddings: the two closest groups merge while
/// their mean pairwise distance is within <see cref="IdentityOptions.MatchDistance"/>. Works across cuts and
/// returns; two tracks that are on screen at the same time are never one person.
/// </summary>
public sealed class IdentityGrouper(IdentityOptions options)
{
    /// <summary>A track as the grouper sees it.</summary>
    public sealed record TrackSummary(int TrackId, int FirstFrame, int LastFrame, float[][] Embeddings, byte[][] Thumbnails, float Quality);

    public IReadOnlyList<Identity> Group(IReadOnlyList<TrackSummary> tracks)
    {
        var groups = tracks.Where(t => t.Embeddings.Length > 0).Select(t => new List<TrackSummary> { t }).ToList();
        while (true)
        {
            var best = (A: -1, B: -1, Distance: float.MaxValue);
            for (var a = 0; a < groups.Count; a++)
            {
                for (var b = a + 1; b < groups.Count; b++)
                {
                    if (Overlap(groups[a], groups[b])) continue;
                    var distance = MeanDistance(groups[a], groups[b]);
                    if (distance < best.Distance) best = (a, b, distance);
                }
            }
            if (best.A < 0 || best.Distance > options.MatchDistance) break;
            groups[best.A].AddRange(groups[best.B]);
            groups.RemoveAt(best.B);
        }

        return groups
            .OrderBy(g => g.Min(t => t.FirstFrame))
            .Select((g, index) =>
            {
                var embeddings = g.SelectMany(t => t.Embeddings).ToList();
                return new Identity(index + 1, g.Select(t => t.TrackId).Order().ToList(), g.Min(t => t.FirstFrame), g.Max(t => t.LastFrame),
                    Centroid(embeddings), embeddings)
                {
                    Thumbnails = g.OrderByDescending(t => t.Quality).SelectMany(t => t.Thumbnails.Take(1)).Take(options.ThumbnailsPerIdentity).ToList(),
                };
            })
            .ToList();
    }

    private static bool Overlap(List<TrackSummary> a, List<TrackSummary> b) =>
        a.Any(x => b.Any(y => x.FirstFrame <= y.LastFrame && y.FirstFrame <= x.LastFrame));

    private static float MeanDistance(List<TrackSummary> a, List<TrackSummary> b)
    {
        double sum = 0;
        var count = 0;
        foreach (var x in a.SelectMany(t => t.Embeddings))
        {
            foreach (var y in b.SelectMany(t => t.Embeddings))
            {
                sum += EmbeddingMath.Distance(x, y);
                count++;
            }
        }
        return (float)(sum / count);
    }

    private static float[] Centroid(List<float[]> embeddings)
    {
        var centroid = new float[embeddings[0].Length];
        foreach (var e in embeddings)
            for (var i = 0; i < centroid.Length; i++) centroid[i] += e[i] / embeddings.Count;
        return centroid;
    }
}
