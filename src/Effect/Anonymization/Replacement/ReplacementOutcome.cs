namespace Deid.Effect.Anonymization.Replacement;

/// <summary>What happened to one face given to <see cref="FaceReplacer.Apply"/>.</summary>
public enum ReplacementOutcome
{
    Replaced,
    /// <summary>The face is too small to replace meaningfully; blurred.</summary>
    BlurredTooSmall,
    /// <summary>The landmarks could not be placed as an upright face; blurred.</summary>
    BlurredNoLandmarks,
    /// <summary>The recognizer still matched the replaced face to the person, nearer than a blurred copy would be; blurred.</summary>
    BlurredStillRecognized,
    /// <summary>
    /// Clear of the person on its own, but too near half-mixed with what the frame before showed of the face, as a
    /// video encoder carries the frame before into the next (frames in order only); blurred.
    /// </summary>
    BlurredForTheEncoder,
    /// <summary>Replacing threw; blurred.</summary>
    BlurredAfterError,
}
