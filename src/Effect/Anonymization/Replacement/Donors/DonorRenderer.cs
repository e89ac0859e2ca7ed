using Deid.Effect.Landmarks;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement.Donors;

/// <summary>
/// Renders a face from donors, in the canonical frame: each donor's face is warped onto the original's 68
/// landmarks (so pose, expression and lip movement are the original's), the donors are blended by their weights,
/// and the original's large-scale light is put back (so lighting and skin tone are the original's). The inside of
/// an open mouth stays the original's. The mask covers the face inside its outline, feathered inwards, so the
/// jaw line and the hair stay the original's.
/// </summary>
internal sealed class DonorRenderer : IDisposable
{
    private const int Size = CanonicalFace.Size;

    /// <summary>Light at this scale and above comes from the original: the lighting and the skin tone.</summary>
    internal const double LightingSigma = 0.12 * Size;

    /// <summary>The light kept in a stronger rendering (a face the recognizer still matched): only the broadest.</summary>
    internal const double StrongerLightingSigma = 0.24 * Size;

    /// <summary>The blend covers the face's outline shrunk by this factor, then softened inwards.</summary>
    private const float MaskShrink = 1f;

    private readonly LandmarkWarp _warp = new();

    /// <param name="stronger">Keep only the original's broadest light, for a face the recognizer still matched to the person.</param>
    public void Render(Mat canonical, Point2f[] points, IReadOnlyList<(DonorFace Face, float Weight)> donors, MaskOptions maskOptions, Mat face, Mat mask, bool stronger = false)
    {
        using var original = new Mat();
        canonical.ConvertTo(original, MatType.CV_32FC3);
        using var result = DonorsUnderOriginalLight(original, points, donors, stronger);

        // An open mouth keeps its inside (teeth, tongue): the donors' closed lips would only be stretched over it.
        using (var inside = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0)))
        {
            Cv2.FillConvexPoly(inside, Cv2.ConvexHull(Round(points[Face68.InnerMouth])), Scalar.All(1), LineTypes.AntiAlias);
            Cv2.GaussianBlur(inside, inside, new Size(0, 0), 0.006 * Size + 0.5);
            using var weight = new Mat();
            Cv2.Merge([inside, inside, inside], weight);
            using var keep = new Mat();
            Cv2.Subtract(original, result, keep);
            Cv2.Multiply(keep, weight, keep);
            Cv2.Add(result, keep, result);
        }
        result.ConvertTo(face, MatType.CV_8UC3);
        DrawMask(points, maskOptions, mask);
    }

    /// <summary>
    /// The face of a person whose 68 landmarks could not be placed (a hand or a microphone over the mouth, a blurred
    /// turn): the donors as they stand in the canonical frame, which the five-point alignment puts on the face, under
    /// the original's light. Pose follows the five points; the expression is the donors'.
    /// </summary>
    public void RenderWithoutLandmarks(Mat canonical, IReadOnlyList<(DonorFace Face, float Weight)> donors, MaskOptions maskOptions, Mat face, Mat mask, bool stronger = false)
    {
        var points = MeanPoints(donors);
        using var original = new Mat();
        canonical.ConvertTo(original, MatType.CV_32FC3);
        using var result = DonorsUnderOriginalLight(original, points, donors, stronger);
        result.ConvertTo(face, MatType.CV_8UC3);
        DrawMask(points, maskOptions, mask);
    }

    /// <summary>The donors warped onto <paramref name="points"/> and blended, under the original's light over the face's outline (CV_32FC3).</summary>
    private Mat DonorsUnderOriginalLight(Mat original, Point2f[] points, IReadOnlyList<(DonorFace Face, float Weight)> donors, bool stronger)
    {
        using var mixed = Mix(donors, points);
        using var area = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        FaceOutline.Fill(area, points, 1f);
        return Relit(mixed, original, area, stronger ? StrongerLightingSigma : LightingSigma);
    }

    /// <summary>The donors warped onto <paramref name="points"/> and blended by their weights (CV_32FC3).</summary>
    private Mat Mix(IReadOnlyList<(DonorFace Face, float Weight)> donors, Point2f[] points)
    {
        var mixed = new Mat(Size, Size, MatType.CV_32FC3, Scalar.All(0));
        using var warped = new Mat();
        using var warpedFloat = new Mat();
        foreach (var (donor, weight) in donors)
        {
            _warp.Warp(donor.Canonical, donor.Points, points, warped);
            warped.ConvertTo(warpedFloat, MatType.CV_32FC3);
            Cv2.ScaleAdd(warpedFloat, weight, mixed, mixed);
        }
        return mixed;
    }

    /// <summary>The donors' mix under the original's large-scale light, over <paramref name="area"/>.</summary>
    private static Mat Relit(Mat mixed, Mat original, Mat area, double lightingSigma)
    {
        using var lightOriginal = new Mat();
        using var lightMixed = new Mat();
        MaskedBlur(original, area, lightOriginal, lightingSigma);
        MaskedBlur(mixed, area, lightMixed, lightingSigma);
        // Multiplicative, so the donors' detail scales with the original's light (a face half in shadow stays so).
        using var gain = new Mat();
        Cv2.Add(lightOriginal, Scalar.All(4), lightOriginal);
        Cv2.Add(lightMixed, Scalar.All(4), lightMixed);
        Cv2.Divide(lightOriginal, lightMixed, gain);
        LimitBrightness(gain);
        var result = new Mat();
        Cv2.Multiply(mixed, gain, result);
        MatchSharpness(result, original, area);
        return result;
    }

    /// <summary>The gain of the original's light over the donors' is kept within these, as a brightness (all channels alike).</summary>
    private const double MinimumGain = 0.25, MaximumGain = 4;

    /// <summary>
    /// Keeps the gain's brightness (its mean over the channels) within <see cref="MinimumGain"/>..<see cref="MaximumGain"/>
    /// by scaling all three channels alike, so the hue of the original's light survives the limit. Limited channel by
    /// channel, a dark face in dim light (gains near 0.2 and bluest lowest) came out grey-blue where the blue gain was
    /// held at the limit and the red was not (Hamilton clip, the laughing woman in the back row).
    /// </summary>
    private static void LimitBrightness(Mat gain)
    {
        var channels = gain.Split();
        try
        {
            using var brightness = new Mat();
            Cv2.Add(channels[0], channels[1], brightness);
            Cv2.Add(brightness, channels[2], brightness);
            Cv2.Multiply(brightness, Scalar.All(1.0 / 3), brightness);
            Cv2.Max(brightness, Scalar.All(1e-6), brightness);
            using var limited = new Mat();
            Cv2.Max(brightness, Scalar.All(MinimumGain), limited);
            Cv2.Min(limited, Scalar.All(MaximumGain), limited);
            using var factor = new Mat();
            Cv2.Divide(limited, brightness, factor);
            foreach (var channel in channels) Cv2.Multiply(channel, factor, channel);
            Cv2.Merge(channels, gain);
        }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
        }
    }

    /// <summary>Blur steps tried (canonical pixels) to bring the donors' detail down to the original's.</summary>
    private static readonly double[] SoftenSteps = [0, 0.6, 0.9, 1.3, 1.8, 2.5, 3.5, 5];

    /// <summary>
    /// Softens the donors' face to the original's sharpness: a small, distant or out-of-focus face upsampled into
    /// the canonical frame has far less fine detail than a portrait, and a crisp face pasted on it looks cut out.
    /// Blends between two neighbouring blur steps, so the softening changes smoothly from frame to frame.
    /// </summary>
    private static void MatchSharpness(Mat result, Mat original, Mat area)
    {
        using var inside = area.GreaterThan(0.5);
        var target = Detail(original, inside);
        var previous = result.Clone();
        var previousDetail = Detail(previous, inside);
        try
        {
            if (previousDetail <= target) return;
            for (var i = 1; i < SoftenSteps.Length; i++)
            {
                var softer = new Mat();
                Cv2.GaussianBlur(result, softer, new Size(0, 0), SoftenSteps[i], SoftenSteps[i], BorderTypes.Replicate);
                var detail = Detail(softer, inside);
                if (detail <= target || i == SoftenSteps.Length - 1)
                {
                    var t = detail <= target ? (previousDetail - target) / Math.Max(1e-6, previousDetail - detail) : 1;
                    Cv2.AddWeighted(previous, 1 - t, softer, t, 0, result);
                    softer.Dispose();
                    return;
                }
                previous.Dispose();
                (previous, previousDetail) = (softer, detail);
            }
        }
        finally
        {
            previous.Dispose();
        }
    }

    /// <summary>Fine detail: the mean absolute difference from a lightly blurred copy, over <paramref name="inside"/>.</summary>
    private static double Detail(Mat image, Mat inside)
    {
        using var smooth = new Mat();
        Cv2.GaussianBlur(image, smooth, new Size(0, 0), 1.2, 1.2, BorderTypes.Replicate);
        using var difference = new Mat();
        Cv2.Absdiff(image, smooth, difference);
        var mean = Cv2.Mean(difference, inside);
        return (mean.Val0 + mean.Val1 + mean.Val2) / 3;
    }

    private static Point2f[] MeanPoints(IReadOnlyList<(DonorFace Face, float Weight)> donors)
    {
        var points = new Point2f[Face68.Count];
        foreach (var (donor, weight) in donors)
            for (var i = 0; i < points.Length; i++) points[i] += donor.Points[i] * weight;
        return points;
    }

    /// <summary>The face inside its outline, shrunk a little and feathered inwards: the jaw line and hair stay the original's.</summary>
    private static void DrawMask(Point2f[] points, MaskOptions maskOptions, Mat mask)
    {
        mask.Create(Size, Size, MatType.CV_32FC1);
        mask.SetTo(Scalar.All(0));
        FaceOutline.Fill(mask, points, MaskShrink * maskOptions.Scale);
        var sigma = Math.Max(1.0, (0.01 + 0.03 * maskOptions.Feather) * Size);
        using (var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2 * (int)sigma + 1, 2 * (int)sigma + 1)))
            Cv2.Erode(mask, mask, kernel);
        Cv2.GaussianBlur(mask, mask, new Size(0, 0), sigma);
    }

    /// <summary>The image's large-scale light over <paramref name="area"/> only: blur(image·area) / blur(area).</summary>
    private static void MaskedBlur(Mat image, Mat area, Mat light, double sigma)
    {
        using var weight = new Mat();
        Cv2.Merge([area, area, area], weight);
        using var weighted = new Mat();
        Cv2.Multiply(image, weight, weighted);
        using var blurredWeight = new Mat();
        ShapeAndSkinRenderer.WideBlur(weighted, light, sigma);
        ShapeAndSkinRenderer.WideBlur(weight, blurredWeight, sigma);
        Cv2.Max(blurredWeight, Scalar.All(1e-3), blurredWeight);
        Cv2.Divide(light, blurredWeight, light);
    }

    private static Point[] Round(ReadOnlySpan<Point2f> points)
    {
        var result = new Point[points.Length];
        for (var i = 0; i < points.Length; i++) result[i] = new Point((int)MathF.Round(points[i].X), (int)MathF.Round(points[i].Y));
        return result;
    }

    public void Dispose() => _warp.Dispose();
}
