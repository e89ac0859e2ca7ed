using Deid.Effect.Anonymization.Replacement;
using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>Everything that decides how a face is hidden; creates the matching method.</summary>
public sealed record AnonymizerSettings
{
    public AnonymizationMethod Method { get; init; } = AnonymizationMethod.Blur;

    /// <summary>0..1; 1 (the default) is strong enough that the recognizer no longer matches the person.</summary>
    public float Strength { get; init; } = 1f;

    /// <summary>Fill colour of <see cref="AnonymizationMethod.Solid"/>, as blue, green, red.</summary>
    public Scalar SolidColor { get; init; } = new(128, 128, 128);

    public MaskOptions Mask { get; init; } = new();

    /// <summary>Seed and limits of <see cref="AnonymizationMethod.Replace"/>.</summary>
    public ReplacementOptions Replacement { get; init; } = new();

    public IAnonymizer CreateAnonymizer() => Method switch
    {
        AnonymizationMethod.Blur => new BlurAnonymizer(Strength),
        AnonymizationMethod.Pixelate => new PixelateAnonymizer(Strength),
        AnonymizationMethod.Solid => new SolidAnonymizer(SolidColor, Strength),
        AnonymizationMethod.Replace => throw new InvalidOperationException(
            "replace needs the landmark and recognition models: create a ReplaceAnonymizer with a FaceReplacer"),
        _ => throw new ArgumentOutOfRangeException(nameof(Method), Method, "unknown anonymization method"),
    };

    public FaceCompositor CreateCompositor() => new(CreateAnonymizer(), Mask);

    /// <summary>Parses "#rrggbb" or "rrggbb" into a BGR scalar.</summary>
    public static Scalar ParseColor(string text)
    {
        var hex = text.TrimStart('#');
        if (hex.Length != 6 || !int.TryParse(hex, System.Globalization.NumberStyles.HexNumber, null, out var rgb))
            throw new FormatException($"colour '{text}' is not #rrggbb");
        return new Scalar(rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF);
    }
}
