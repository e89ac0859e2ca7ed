namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// A change of the face's low-frequency shading, the 3-D shape cues a recognizer reads most on small faces: each
/// amplitude brightens (positive) or darkens (negative) one smooth region of the canonical face
/// (<see cref="ShadingBasis"/>), as a relative change of luminance (0.2 = about 22 % brighter at the region's
/// centre). <see cref="Contrast"/> scales the face's large-scale light-dark range about its mean (1 = unchanged).
/// The regions are fixed in the canonical frame, so the change moves with the face and needs no 68 landmarks.
/// </summary>
public sealed record ShadingChange(IReadOnlyList<float> Amplitudes, float Contrast)
{
    /// <summary>Largest amplitude a seeded change draws; planning may push up to <see cref="NaturalAmplitude"/>, then <see cref="MaxAmplitude"/>.</summary>
    public const float DrawnAmplitude = 0.1f;

    /// <summary>
    /// Up to this amplitude (about 22 % brighter or darker at a region's centre, fading to nothing at the outline)
    /// the change reads as another face's shape under the same light; planning stays within it while it can.
    /// </summary>
    public const float NaturalAmplitude = 0.2f;

    /// <summary>
    /// On faces of at least <see cref="LargeFace"/> pixels no region's shading changes by more than this (about a
    /// factor 1.4 either way): stronger changes show as patches there. Planning comes this far only for a person the
    /// natural changes cannot take far enough from themselves.
    /// </summary>
    public const float LargeFaceAmplitude = 0.35f;

    /// <summary>No region's shading changes by more than this (about a factor 1.6 either way), on small faces only.</summary>
    public const float MaxAmplitude = 0.5f;

    /// <summary>Faces this many pixels across and larger show their shading in enough detail to keep it within <see cref="LargeFaceAmplitude"/>.</summary>
    public const float LargeFace = 96f;

    /// <summary>
    /// The strongest shading a face of <paramref name="faceSize"/> pixels gets. On small faces the recognizer reads
    /// little but the low-frequency shape, and a patch there is a few pixels of changed light.
    /// </summary>
    public static float LimitFor(float faceSize) => faceSize >= LargeFace ? LargeFaceAmplitude : MaxAmplitude;

    public static ShadingChange None { get; } = new(new float[ShadingBasis.Count], 1f);

    public bool IsNone => Contrast == 1f && Amplitudes.All(a => a == 0);

    public static ShadingChange Random(Random random)
    {
        var amplitudes = new float[ShadingBasis.Count];
        for (var i = 0; i < amplitudes.Length; i++)
            amplitudes[i] = (random.Next(2) == 0 ? -1 : 1) * DrawnAmplitude * (0.4f + 0.6f * random.NextSingle());
        var contrast = random.Next(2) == 0 ? 0.8f + 0.1f * random.NextSingle() : 1.1f + 0.15f * random.NextSingle();
        return new ShadingChange(amplitudes, contrast);
    }

    /// <summary>Every amplitude (and the contrast's departure from 1) multiplied by <paramref name="factor"/>, within <paramref name="limit"/> (at most <see cref="MaxAmplitude"/>).</summary>
    public ShadingChange Scaled(float factor, float limit = MaxAmplitude) => new(
        Amplitudes.Select(a => Math.Clamp(a * factor, -Math.Min(limit, MaxAmplitude), Math.Min(limit, MaxAmplitude))).ToArray(),
        Math.Clamp(1 + (Contrast - 1) * factor, 0.6f, 1.5f));

    /// <summary>The same change with region <paramref name="index"/> set to <paramref name="amplitude"/> (within the limits).</summary>
    public ShadingChange With(int index, float amplitude, float limit = MaxAmplitude)
    {
        var amplitudes = Amplitudes.ToArray();
        var bound = Math.Min(limit, MaxAmplitude);
        amplitudes[index] = Math.Clamp(amplitude, -bound, bound);
        return this with { Amplitudes = amplitudes };
    }
}
