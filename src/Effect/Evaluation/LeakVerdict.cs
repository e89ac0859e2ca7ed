namespace Deid.Effect.Evaluation;

/// <summary>
/// How close an anonymized face still is to the person: <see cref="Distance"/> from the original embedding, the
/// distance a heavily blurred copy of the original reaches (<see cref="ReferenceDistance"/>), and whether the
/// output counts as leaked. The two faces' embeddings come with it, so a clip's consecutive faces can be compared too.
/// </summary>
public sealed record LeakVerdict(float Distance, float ReferenceDistance, bool Untouched, bool Leaked)
{
    public float[] OriginalEmbedding { get; init; } = [];

    public float[] OutputEmbedding { get; init; } = [];
}
