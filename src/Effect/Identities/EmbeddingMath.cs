namespace Deid.Effect.Identities;

public static class EmbeddingMath
{
    /// <summary>Euclidean distance, the recognizer's metric.</summary>
    public static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }
        return MathF.Sqrt(sum);
    }

    /// <summary>The median distance from <paramref name="probe"/> to a set of embeddings: robust to one odd frame.</summary>
    public static float MedianDistance(ReadOnlySpan<float> probe, IReadOnlyList<float[]> embeddings)
    {
        var distances = new float[embeddings.Count];
        for (var i = 0; i < distances.Length; i++) distances[i] = Distance(probe, embeddings[i]);
        Array.Sort(distances);
        return distances.Length % 2 == 1 ? distances[distances.Length / 2] : (distances[distances.Length / 2 - 1] + distances[distances.Length / 2]) / 2;
    }
}
