using Deid.Effect.Geometry;
using Deid.Effect.Landmarks;
using OpenCvSharp;
using Range = System.Range;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The hand-made replacement, in the canonical frame: a thin-plate warp moves the landmarks to the new shape
/// (the crop's border stays put), the original's large-scale shading is put back (so the lighting is the
/// original's), fine skin detail is mostly swapped for seeded synthetic detail, brows and lips change contrast,
/// and the skin tone shifts a little. Also draws the blend mask: the face's outline before and after the warp,
/// feathered outwards.
/// </summary>
internal sealed class ShapeAndSkinRenderer : IDisposable
{
    private const int Size = CanonicalFace.Size;
    /// <summary>Shading at this scale and above is the lighting; it is taken from the original.</summary>
    private const double LightingSigma = 0.09 * Size;
    private const double DetailSigma = 1.0;

    private readonly Dictionary<int, Mat> _noise = [];
    private readonly LandmarkWarp _warp = new();
    private readonly Mat _field = new();

    /// <param name="largeFace">
    /// Whether the face is large enough in the frame for its shading to show in detail: tone and shading then fade
    /// out well inside the outline. On a small face they cover the whole outline, where the recognizer reads them.
    /// </param>
    public void Render(Mat canonical, Point2f[] points, IdentityTransform transform, FaceShapeLimits limits, MaskOptions maskOptions,
        Mat face, Mat mask, bool largeFace)
    {
        var target = transform.Shape.Apply(points, limits);
        _warp.Warp(canonical, points, target, face);

        using var warped = new Mat();
        face.ConvertTo(warped, MatType.CV_32FC3);
        using var original = new Mat();
        canonical.ConvertTo(original, MatType.CV_32FC3);

        using var lightOriginal = new Mat();
        using var lightWarped = new Mat();
        WideBlur(original, lightOriginal, LightingSigma);
        WideBlur(warped, lightWarped, LightingSigma);
        using var smooth = new Mat();
        Cv2.GaussianBlur(warped, smooth, new Size(0, 0), DetailSigma, DetailSigma, BorderTypes.Replicate);

        var skin = transform.Skin;
        // result = smooth + kept * (warped - smooth) + (lightOriginal - lightWarped), where kept is the skin's
        // DetailKept but 1 on eyes and mouth: their edges carry the expression (and the landmarks that read it).
        using var kept = FeatureDetailWeights(target, skin.DetailKept);
        using var result = new Mat();
        Cv2.Subtract(warped, smooth, result);
        Cv2.Multiply(result, kept, result);
        Cv2.Add(result, smooth, result);
        Cv2.Add(result, lightOriginal, result);
        Cv2.Subtract(result, lightWarped, result);

        using var faceArea = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        FaceOutline.Fill(faceArea, target, 1f);
        Cv2.GaussianBlur(faceArea, faceArea, new Size(0, 0), 2.0);
        // Tone and shading fade out well inside the outline, so no step shows where the new face meets the old skin.
        using var interior = new Mat();
        if (largeFace) InteriorWeight(target, interior);
        else faceArea.CopyTo(interior);

        ChangeContrast(result, target, Face68.RightBrow, Face68.LeftBrow, skin.BrowContrast, browThickness: 0.06f * Size);
        ChangeLipContrast(result, target, skin.LipContrast);

        if (skin.SyntheticDetail > 0)
        {
            var noise = Noise(skin.NoiseSeed);
            using var scaled = new Mat();
            Cv2.Multiply(noise, faceArea, scaled, skin.SyntheticDetail);
            using var threeChannels = new Mat();
            Cv2.Merge([scaled, scaled, scaled], threeChannels);
            Cv2.Add(result, threeChannels, result);
        }
        var (b, g, r) = skin.ToneShift;
        using (var tone = new Mat())
        {
            Cv2.Merge([interior, interior, interior], tone);
            Cv2.Multiply(tone, new Scalar(b, g, r), tone);
            Cv2.Add(result, tone, result);
        }
        // The lips keep their shading: a brighter or darker lip edge moves where the landmarker puts the mouth's opening.
        ClearAround(interior, target, Face68.OuterMouth, 0.06f * Size);
        ChangeShading(result, lightOriginal, interior, transform.Shading);
        result.ConvertTo(face, MatType.CV_8UC3);

        DrawMask(points, target, maskOptions, mask);
    }

    /// <summary>
    /// The replacement for a face whose 68 landmarks could not be placed reliably (small, blurred or turned faces):
    /// no warp and no detail swap, which need the landmarks, only the planned shading, contrast and tone change over
    /// an ellipse that the five-point alignment puts on the face. That is what a recognizer reads on such faces.
    /// </summary>
    public void RenderWithoutLandmarks(Mat canonical, IdentityTransform transform, MaskOptions maskOptions, Mat face, Mat mask)
    {
        using var result = new Mat();
        canonical.ConvertTo(result, MatType.CV_32FC3);
        using var light = new Mat();
        WideBlur(result, light, LightingSigma);
        using var faceArea = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        DrawEllipse(faceArea, 1f);
        Cv2.GaussianBlur(faceArea, faceArea, new Size(0, 0), 2.0);
        var (b, g, r) = transform.Skin.ToneShift;
        using (var tone = new Mat())
        {
            Cv2.Merge([faceArea, faceArea, faceArea], tone);
            Cv2.Multiply(tone, new Scalar(b, g, r), tone);
            Cv2.Add(result, tone, result);
        }
        ChangeShading(result, light, faceArea, transform.Shading);
        result.ConvertTo(face, MatType.CV_8UC3);

        mask.Create(Size, Size, MatType.CV_32FC1);
        mask.SetTo(Scalar.All(0));
        DrawEllipse(mask, maskOptions.Scale);
        FeatherOutwards(mask, maskOptions);
    }

    /// <summary>Weights <paramref name="weight"/> down to 0 over the hull of <paramref name="range"/>, softly over <paramref name="spread"/> pixels around it.</summary>
    private static void ClearAround(Mat weight, Point2f[] points, Range range, float spread)
    {
        using var area = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        Cv2.FillConvexPoly(area, Cv2.ConvexHull(Round(points[range])), Scalar.All(1), LineTypes.AntiAlias);
        Cv2.GaussianBlur(area, area, new Size(0, 0), spread / 2);
        Cv2.Multiply(area, Scalar.All(2), area);
        Cv2.Min(area, Scalar.All(1), area);
        Cv2.Subtract(Scalar.All(1), area, area);
        Cv2.Multiply(weight, area, weight);
    }

    /// <summary>1 in the middle of the face, falling smoothly to 0 at its outline (the shrunken outline, widely blurred).</summary>
    private static void InteriorWeight(Point2f[] points, Mat weight)
    {
        weight.Create(Size, Size, MatType.CV_32FC1);
        weight.SetTo(Scalar.All(0));
        FaceOutline.Fill(weight, points, 0.85f);
        Cv2.GaussianBlur(weight, weight, new Size(0, 0), 0.05 * Size);
    }

    /// <summary>The face's extent from the five-point template alone: brows to chin, cheek to cheek.</summary>
    private static void DrawEllipse(Mat image, float scale)
    {
        var template = CanonicalFace.Template(Size);
        var unit = CanonicalFace.EyeToMouth * Size;
        var centre = new Point2f((template[0].X + template[1].X) / 2, (template[0].Y + template[1].Y) / 2 + 0.5f * unit);
        Cv2.Ellipse(image, new RotatedRect(centre, new Size2f(1.7f * unit * scale, 2.1f * unit * scale), 0), Scalar.All(1), -1, LineTypes.AntiAlias);
    }

    /// <summary>
    /// The planned low-frequency change: the face's large-scale light-dark range scaled about its mean, then each
    /// shading region brightened or darkened multiplicatively (so colour and the original's lighting direction stay,
    /// only the apparent 3-D shape changes). Smooth everywhere, so eye and mouth edges keep their structure.
    /// </summary>
    private void ChangeShading(Mat result, Mat lightOriginal, Mat faceArea, ShadingChange shading)
    {
        if (shading.IsNone) return;
        if (MathF.Abs(shading.Contrast - 1) > 1e-3f)
        {
            using var inside = faceArea.GreaterThan(0.5);
            var mean = Cv2.Mean(lightOriginal, inside);
            using var spread = new Mat();
            Cv2.Subtract(lightOriginal, mean, spread);
            using var weight = new Mat();
            Cv2.Merge([faceArea, faceArea, faceArea], weight);
            Cv2.Multiply(spread, weight, spread, shading.Contrast - 1);
            Cv2.Add(result, spread, result);
        }
        ShadingBasis.Field(shading.Amplitudes, _field);
        Cv2.Multiply(_field, faceArea, _field);
        Cv2.Exp(_field, _field);
        using var gain = new Mat();
        Cv2.Merge([_field, _field, _field], gain);
        Cv2.Multiply(result, gain, result);
    }

    /// <summary>Per pixel (three channels) how much fine detail stays: <paramref name="skinKept"/> on skin, 1 on eyes and mouth.</summary>
    private static Mat FeatureDetailWeights(Point2f[] points, float skinKept)
    {
        using var features = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        foreach (var range in new[] { Face68.RightEye, Face68.LeftEye, Face68.OuterMouth })
            Cv2.FillConvexPoly(features, Cv2.ConvexHull(Round(points[range])), Scalar.All(1), LineTypes.AntiAlias);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(7, 7));
        Cv2.Dilate(features, features, kernel);
        Cv2.GaussianBlur(features, features, new Size(0, 0), 2.0);
        using var weights = new Mat();
        Cv2.Multiply(features, Scalar.All(1 - skinKept), weights);
        Cv2.Add(weights, Scalar.All(skinKept), weights);
        var threeChannels = new Mat();
        Cv2.Merge([weights, weights, weights], threeChannels);
        return threeChannels;
    }

    /// <summary>Scales the brows' darkness against the skin around them.</summary>
    private static void ChangeContrast(Mat image, Point2f[] points, Range right, Range left, float contrast, float browThickness)
    {
        if (MathF.Abs(contrast - 1) < 1e-3f) return;
        using var area = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        foreach (var range in new[] { right, left })
        {
            var brow = points[range].Select(p => new Point((int)MathF.Round(p.X), (int)MathF.Round(p.Y))).ToArray();
            Cv2.Polylines(area, [brow], false, Scalar.All(1), Math.Max(2, (int)MathF.Round(browThickness)), LineTypes.AntiAlias);
        }
        Cv2.GaussianBlur(area, area, new Size(0, 0), browThickness * 0.35);
        ScaleAgainstSurroundings(image, area, contrast, browThickness * 1.2);
    }

    private static void ChangeLipContrast(Mat image, Point2f[] points, float contrast)
    {
        if (MathF.Abs(contrast - 1) < 1e-3f) return;
        using var area = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        Cv2.FillPoly(area, [Round(points[Face68.OuterMouth])], Scalar.All(1), LineTypes.AntiAlias);
        Cv2.FillPoly(area, [Round(points[Face68.InnerMouth])], Scalar.All(0), LineTypes.AntiAlias);
        Cv2.GaussianBlur(area, area, new Size(0, 0), 1.2);
        ScaleAgainstSurroundings(image, area, contrast, 0.05 * Size);
    }

    /// <summary>image = surroundings + contrast * (image - surroundings), weighted by <paramref name="area"/>.</summary>
    private static void ScaleAgainstSurroundings(Mat image, Mat area, float contrast, double surroundSigma)
    {
        using var surroundings = new Mat();
        WideBlur(image, surroundings, surroundSigma);
        using var difference = new Mat();
        Cv2.Subtract(image, surroundings, difference);
        using var weight = new Mat();
        Cv2.Merge([area, area, area], weight);
        using var change = new Mat();
        Cv2.Multiply(difference, weight, change, contrast - 1);
        Cv2.Add(image, change, image);
    }

    /// <summary>A wide Gaussian blur computed at a quarter of the resolution: the result is smooth anyway, and 16 times cheaper.</summary>
    internal static void WideBlur(Mat image, Mat blurred, double sigma)
    {
        using var small = new Mat();
        Cv2.Resize(image, small, new Size(image.Width / 4, image.Height / 4), 0, 0, InterpolationFlags.Area);
        Cv2.GaussianBlur(small, small, new Size(0, 0), sigma / 4, sigma / 4, BorderTypes.Replicate);
        Cv2.Resize(small, blurred, image.Size(), 0, 0, InterpolationFlags.Linear);
    }

    /// <summary>Covers the face before and after the warp, so no old contour shows; soft outside the outline.</summary>
    private static void DrawMask(Point2f[] before, Point2f[] after, MaskOptions options, Mat mask)
    {
        mask.Create(Size, Size, MatType.CV_32FC1);
        mask.SetTo(Scalar.All(0));
        FaceOutline.Fill(mask, before, options.Scale);
        FaceOutline.Fill(mask, after, options.Scale);
        FeatherOutwards(mask, options);
    }

    internal static void FeatherOutwards(Mat mask, MaskOptions options)
    {
        var sigma = Math.Max(1.0, options.Feather * 0.12 * Size);
        // Blur the outline grown by one sigma, then double it: 1 everywhere inside, falling off outside.
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2 * (int)sigma + 1, 2 * (int)sigma + 1));
        Cv2.Dilate(mask, mask, kernel);
        Cv2.GaussianBlur(mask, mask, new Size(0, 0), sigma);
        Cv2.Multiply(mask, Scalar.All(2), mask);
        Cv2.Min(mask, Scalar.All(1), mask);
    }

    /// <summary>Seeded skin-like noise of unit spread: fine grain plus larger blotches, fixed in the canonical frame.</summary>
    private unsafe Mat Noise(int seed)
    {
        if (_noise.TryGetValue(seed, out var cached)) return cached;
        var random = new Random(seed);
        using var white = new Mat(Size, Size, MatType.CV_32FC1);
        for (var y = 0; y < Size; y++)
        {
            var row = (float*)white.Ptr(y);
            for (var x = 0; x < Size; x++) row[x] = random.NextSingle() * 2 - 1;
        }
        using var fine = new Mat();
        using var coarse = new Mat();
        Cv2.GaussianBlur(white, fine, new Size(0, 0), 0.7);
        Cv2.GaussianBlur(white, coarse, new Size(0, 0), 3.0);
        Normalize(fine);
        Normalize(coarse);
        var noise = new Mat();
        Cv2.AddWeighted(fine, 0.8, coarse, 0.3, 0, noise);
        if (_noise.Count > 64) { foreach (var old in _noise.Values) old.Dispose(); _noise.Clear(); }
        _noise[seed] = noise;
        return noise;
    }

    private static void Normalize(Mat image)
    {
        Cv2.MeanStdDev(image, out var mean, out var deviation);
        Cv2.Subtract(image, mean, image);
        Cv2.Multiply(image, Scalar.All(1 / Math.Max(1e-6, deviation.Val0)), image);
    }

    private static Point[] Round(ReadOnlySpan<Point2f> points)
    {
        var result = new Point[points.Length];
        for (var i = 0; i < points.Length; i++) result[i] = new Point((int)MathF.Round(points[i].X), (int)MathF.Round(points[i].Y));
        return result;
    }

    public void Dispose()
    {
        foreach (var noise in _noise.Values) noise.Dispose();
        _warp.Dispose();
        _field.Dispose();
    }
}
