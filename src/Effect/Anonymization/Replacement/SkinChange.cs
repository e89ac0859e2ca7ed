namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// A change of the face's identifying texture. The large-scale shading (the lighting) is always the original's;
/// the fine detail of the skin is kept only by <see cref="DetailKept"/> and replaced by seeded synthetic detail
/// that lives in the face's canonical frame, so it moves with the face.
/// </summary>
/// <param name="DetailKept">0..1: how much of the original fine skin detail stays.</param>
/// <param name="SyntheticDetail">Amplitude of the synthetic detail, in grey levels.</param>
/// <param name="BrowContrast">Contrast of the brows against the skin (1 = unchanged; below 1 thinner, above denser).</param>
/// <param name="LipContrast">Contrast of the lips against the skin.</param>
/// <param name="ToneShift">A small shift of skin tone: blue, green, red in grey levels.</param>
/// <param name="NoiseSeed">Seed of the synthetic detail.</param>
public sealed record SkinChange(float DetailKept, float SyntheticDetail, float BrowContrast, float LipContrast,
    (float B, float G, float R) ToneShift, int NoiseSeed)
{
    public static SkinChange None { get; } = new(1, 0, 1, 1, (0, 0, 0), 0);

    public static SkinChange Random(Random random) => new(
        DetailKept: 0.15f + 0.25f * random.NextSingle(),
        SyntheticDetail: 2.5f + 2.5f * random.NextSingle(),
        // Only lighter brows: darkened ones read as painted smudges.
        BrowContrast: 0.45f + 0.35f * random.NextSingle(),
        LipContrast: 0.9f + 0.2f * random.NextSingle(),
        ToneShift: (Signed(random) * 6, Signed(random) * 4, Signed(random) * 6),
        NoiseSeed: random.Next());

    private static float Signed(Random random) => 2 * random.NextSingle() - 1;
}
