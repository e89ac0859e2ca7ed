namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The largest change of each identifying proportion, in units of the eye-to-mouth distance, as a relative
/// scale or as an angle. Eyes are only scaled uniformly and turned, and the inner lip line never moves, so the
/// opening ratios (and so expression) stay; every change is left-right symmetric and leaves nose tip, chin,
/// outer eye corners and mouth corners in place, so the head pose stays (see <see cref="FaceShapeChange.Apply"/>).
/// </summary>
public sealed record FaceShapeLimits
{
    /// <summary>Slant of the eyes: each eye turns about its outer corner by up to this many degrees.</summary>
    public float EyeSlant { get; init; } = 0f;

    /// <summary>Relative change of eye size (uniform, about the outer corner, so the spacing changes too).</summary>
    public float EyeSize { get; init; } = 0f;

    /// <summary>Brows move up or down by this much.</summary>
    public float BrowHeight { get; init; } = 0.14f;

    /// <summary>Brow rotation about its centre, outer end up or down, in degrees. Brow changes are never boosted past their limits: a turned brow drags the skin around it.</summary>
    public float BrowTilt { get; init; } = 6f;

    /// <summary>Relative change of the nose's width.</summary>
    public float NoseWidth { get; init; } = 0.45f;

    /// <summary>The nostrils move up or down against the nose tip by this much.</summary>
    public float NostrilHeight { get; init; } = 0.07f;

    /// <summary>Relative change of each lip's thickness: the outer lip line moves away from or towards the inner one, so the opening stays.</summary>
    public float LipThickness { get; init; } = 0f;

    /// <summary>Relative change of the face's width at the cheeks.</summary>
    public float CheekWidth { get; init; } = 0.2f;

    /// <summary>Relative change of the chin's width.</summary>
    public float ChinWidth { get; init; } = 0.3f;

    /// <summary>How much further than its limits planning may push a transform that is not yet far enough from the person.</summary>
    public float MaxBoost { get; init; } = 1.6f;
}
