using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>Shape of the soft face mask.</summary>
public sealed record MaskOptions
{
    /// <summary>Multiplies the ellipse's size; 1 covers forehead to chin and ear to ear.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>Width of the soft edge outside the ellipse, as a fraction of its radius. The inside is always fully covered.</summary>
    public float Feather { get; init; } = 0.25f;

    /// <summary>
    /// Every pixel of a <paramref name="width"/> x <paramref name="height"/> frame the mask may cover for a face (soft
    /// edge included), widened by <paramref name="context"/> of the ellipse's radius.
    /// </summary>
    public Rect AreaOf(FaceRegion region, int width, int height, float context = 0) =>
        FaceEllipse.From(region, Scale).Bounds(1f + Feather + context, width, height);
}
