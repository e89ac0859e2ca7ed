namespace Deid.Effect.Anonymization;

public enum AnonymizationMethod
{
    Blur,
    Pixelate,
    Solid,
}
