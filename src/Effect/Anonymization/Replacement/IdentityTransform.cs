namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The new face of one identity: one shape change, one skin change and one shading change, chosen once and used on every frame of
/// every track of that identity. <see cref="PlannedDistance"/> is the smallest recognizer distance from the
/// person that planning measured on the identity's sample faces (NaN when nothing could be measured).
/// </summary>
public sealed record IdentityTransform(string IdentityKey, int Seed, FaceShapeChange Shape, SkinChange Skin)
{
    /// <summary>Length of a recognizer embedding, and so of <see cref="TargetEmbedding"/>.</summary>
    public const int EmbeddingLength = 128;

    /// <summary>How far from the person's mean embedding the generator's target identity is placed.</summary>
    public const float TargetOffset = 0.9f;

    /// <summary>The change of the face's low-frequency shading (its apparent 3-D shape); none unless planned.</summary>
    public ShadingChange Shading { get; init; } = ShadingChange.None;

    /// <summary>The donors this identity's new face is made from; null for the hand-made transform.</summary>
    public Donors.DonorMix? Donors { get; init; }

    /// <summary>
    /// Set on the retry of a face the recognizer still matched: donors keep only the original's broadest light, skip
    /// the landmark correction, and must clear the match distance outright (the hand-made transform is pushed further
    /// instead, by scaling its shape and shading).
    /// </summary>
    public bool Stronger { get; init; }

    /// <summary>
    /// The person's other new faces, in order: each another donor mix (of none of the earlier faces' donor faces)
    /// measured on the same sample faces, for the faces on which the ones before it, retried too, are still matched
    /// to the person: the same few faces on each of them rather than a blur. Empty without donors.
    /// </summary>
    public IReadOnlyList<IdentityTransform> Alternates { get; init; } = [];

    public float PlannedDistance { get; init; } = float.NaN;

    /// <summary>For a face made from donors, the smallest distance planning measured from any of them (NaN otherwise).</summary>
    public float PlannedDonorDistance { get; init; } = float.NaN;

    /// <summary>How many candidate transforms planning tried before it chose this one.</summary>
    public int CandidatesTried { get; init; }

    /// <summary>
    /// The identity a learned generator is asked for: the person's mean embedding moved <see cref="TargetOffset"/>
    /// along a seeded random direction. Null until planning has measured the person.
    /// </summary>
    public float[]? TargetEmbedding { get; init; }

    /// <summary><see cref="TargetEmbedding"/>, or, when the person was never measured, the seeded direction alone.</summary>
    public float[] TargetIdentity() => TargetEmbedding ?? TargetFrom(new float[EmbeddingLength], Skin.NoiseSeed);

    /// <summary>The person's embedding moved <see cref="TargetOffset"/> along a direction drawn from <paramref name="seed"/>.</summary>
    public static float[] TargetFrom(ReadOnlySpan<float> person, int seed)
    {
        var random = new Random(seed);
        var direction = new float[EmbeddingLength];
        double norm = 0;
        for (var i = 0; i < direction.Length; i++)
        {
            // Box-Muller: a normal direction is uniform on the sphere once normalised.
            var u = 1 - random.NextDouble();
            var v = random.NextDouble();
            direction[i] = (float)(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
            norm += direction[i] * direction[i];
        }
        var scale = (float)(TargetOffset / Math.Sqrt(Math.Max(norm, 1e-12)));
        var target = new float[EmbeddingLength];
        for (var i = 0; i < target.Length; i++) target[i] = (i < person.Length ? person[i] : 0) + direction[i] * scale;
        return target;
    }
}
