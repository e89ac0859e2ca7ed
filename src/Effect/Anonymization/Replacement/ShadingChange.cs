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
    /// <summary>Largest amplitude a seeded change draws; planning may push up to <see cref="MaxAmplitude"/>.</summary>
    public const float DrawnAmplitude = 0.28f;

    /// <summary>No region's shading changes by more than this (about a factor 1.6 either way).</summary>
    public const float MaxAmplitude = 0.5f;

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

    /// <summary>Every amplitude (and the contrast's departure from 1) multiplied by <paramref name="factor"/>, within the limits.</summary>
    public ShadingChange Scaled(float factor) => new(
        Amplitudes.Select(a => Math.Clamp(a * factor, -MaxAmplitude, MaxAmplitude)).ToArray(),
        Math.Clamp(1 + (Contrast - 1) * factor, 0.6f, 1.5f));

    /// <summary>The same change with region <paramref name="index"/> set to <paramref name="amplitude"/> (within the limits).</summary>
    public ShadingChange With(int index, float amplitude)
    {
        var amplitudes = Amplitudes.ToArray();
        amplitudes[index] = Math.Clamp(amplitude, -MaxAmplitude, MaxAmplitude);
        return this with { Amplitudes = amplitudes };
    }
}
