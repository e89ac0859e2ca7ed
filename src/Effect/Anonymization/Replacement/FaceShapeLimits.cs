namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The largest change of each identifying proportion, in units of the eye-to-mouth distance or as a relative
/// scale. Eyes and mouth are only scaled uniformly and moved, so their opening ratios (and so expression) stay;
/// every change is left-right symmetric, so yaw and roll stay.
/// </summary>
public sealed record FaceShapeLimits
{
    /// <summary>Each eye moves this far out from or in towards the midline.</summary>
    public float EyeSpacing { get; init; } = 0.10f;

    /// <summary>Relative change of eye size (uniform).</summary>
    public float EyeSize { get; init; } = 0.22f;

    /// <summary>Brows move up or down by this much.</summary>
    public float BrowHeight { get; init; } = 0.14f;

    /// <summary>Brow rotation about its centre, outer end up or down, in degrees.</summary>
    public float BrowTilt { get; init; } = 12f;

    /// <summary>Relative change of the nose's width.</summary>
    public float NoseWidth { get; init; } = 0.35f;

    /// <summary>Nose tip and nostrils move up or down by this much.</summary>
    public float NoseLength { get; init; } = 0.07f;

    /// <summary>Relative change of mouth size (uniform).</summary>
    public float MouthSize { get; init; } = 0.20f;

    /// <summary>Relative change of the jaw's width at the cheeks.</summary>
    public float JawWidth { get; init; } = 0.14f;

    /// <summary>Relative change of lip thickness: the outer lip line moves away from or towards the inner one, so the opening stays.</summary>
    public float LipThickness { get; init; } = 0.35f;

    /// <summary>How much further than its limits planning may push a transform that is not yet far enough from the person.</summary>
    public float MaxBoost { get; init; } = 1.6f;

    /// <summary>The chin moves down or up by this much.</summary>
    public float ChinLength { get; init; } = 0.12f;
}
