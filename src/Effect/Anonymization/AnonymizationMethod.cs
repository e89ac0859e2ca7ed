namespace Deid.Effect.Anonymization;

public enum AnonymizationMethod
{
    Blur,
    Pixelate,
    Solid,
    /// <summary>The face of nobody in place of the person's, keeping pose, expression and lighting (see Replacement.FaceReplacer).</summary>
    Replace,
}
