namespace Deid.Effect.Anonymization.Replacement;

/// <summary>What happened to one face given to <see cref="FaceReplacer.Apply"/>.</summary>
public enum ReplacementOutcome
{
    Replaced,
    /// <summary>
    /// The person's new face stayed too near them on this face, retried too: replaced with one of their other new faces
    /// (<see cref="IdentityTransform.Alternates"/>), which cleared the match distance outright.
    /// </summary>
    ReplacedByAlternate,
    /// <summary>The face is too small to replace meaningfully; blurred.</summary>
    BlurredTooSmall,
    /// <summary>The landmarks could not be placed as an upright face; blurred.</summary>
    BlurredNoLandmarks,
    /// <summary>The recognizer still matched the replaced face to the person, nearer than a blurred copy would be; blurred.</summary>
    BlurredStillRecognized,
    /// <summary>Replacing threw; blurred.</summary>
    BlurredAfterError,
}

public static class ReplacementOutcomes
{
    /// <summary>Whether the face carries a new face (the person's own, or one of their others).</summary>
    public static bool IsReplaced(this ReplacementOutcome outcome) =>
        outcome is ReplacementOutcome.Replaced or ReplacementOutcome.ReplacedByAlternate;
}
