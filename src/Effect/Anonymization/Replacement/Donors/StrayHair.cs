using Deid.Effect.Landmarks;
using OpenCvSharp;
using Range = System.Range;

namespace Deid.Effect.Anonymization.Replacement.Donors;

/// <summary>
/// Hair that lies inside a donor's face outline (a fringe over the forehead, locks over a temple) is hers, not part
/// of a face: warped onto a turned face it became dark red-brown strands across the new face's temple (Hamilton
/// clip, frame 207). Found once, when the donor is loaded: in a mix the other donors' skin takes those places
/// (<see cref="DonorRenderer"/>), and the donor's pixels there are painted over with her skin's colour as it runs
/// across the face, for where every donor of a mix had hair and so no dark edge of hers is carried in by the
/// softening and relighting around them. The original never shows there: its temples are the person's.
/// </summary>
/// <remarks>
/// Hair is told from skin by colour against the donor's own cheeks: another hue or grey-white anywhere above the
/// nose tip (a beard or moustache is part of a face), darker only beside the brows' outer ends (between them a
/// darker forehead is shade more often than hair: taking it cost new faces on the clip); never on the brows, eyes
/// or nose; and only where it reaches the outline's edge, since hair comes in from outside the face: a mole, a
/// wrinkle or a shadow inside the forehead is kept.
/// </remarks>
internal static class StrayHair
{
    /// <summary>Darker than the cheeks by this much (Lab L, 0..255) at least, beside the brows: hair, not shade.</summary>
    private const double DarkerBy = 38;

    /// <summary>Lighter than the cheeks by this much with little colour: grey or white hair.</summary>
    private const double LighterBy = 45;

    /// <summary>Further from the cheeks' hue than this (Lab a/b, 0..255): red, blond or black hair on another skin.</summary>
    private const double HueApart = 16;

    /// <summary>How many times the cheeks' own spread a difference must also exceed (skin with strong light or freckles).</summary>
    private const double SpreadFactor = 3;

    /// <summary>Width (share of the canonical size) of the band along the outline where hair must enter.</summary>
    private const float EdgeBand = 0.03f;

    /// <summary>The colour of the skin filled in is averaged over skin this far around (share of the canonical size).</summary>
    private const double SkinSigma = 0.06;

    /// <summary>Paints over the hair inside the face outline of <paramref name="canonical"/> (CV_8UC3, changed in place).</summary>
    /// <returns>Where the hair was: CV_32FC1, 1 on hair, feathered outwards to 0.</returns>
    public static Mat Remove(Mat canonical, Point2f[] points)
    {
        using var hair = Find(canonical, points);
        var alpha = Feathered(hair);
        if (Cv2.CountNonZero(hair) > 0) Fill(canonical, alpha, points, hair);
        return alpha;
    }

    /// <summary>1 on hair, a soft edge reaching outwards only.</summary>
    private static Mat Feathered(Mat hair)
    {
        using var core = new Mat();
        hair.ConvertTo(core, MatType.CV_32FC1, 1.0 / 255);
        var alpha = new Mat();
        Cv2.GaussianBlur(core, alpha, new Size(0, 0), 1.2);
        Cv2.Max(alpha, core, alpha);
        return alpha;
    }

    /// <summary>The hair inside the face outline (CV_8UC1, 255 = hair).</summary>
    public static Mat Find(Mat canonical, Point2f[] points)
    {
        var size = canonical.Size();
        using var outline = OutlineMask(size, points);
        using var features = FeatureMask(size, points);
        using var lab = new Mat();
        canonical.CvtColor(ColorConversionCodes.BGR2Lab).ConvertTo(lab, MatType.CV_32FC3);
        var channels = lab.Split();
        try
        {
            using var cheeks = CheekMask(size, points, outline, features);
            var (skin, spread) = Statistics(channels, cheeks);

            using var candidate = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
            var noseTip = points[Face68.NoseTip].Y;
            using (var upper = new Mat(size, MatType.CV_8UC1, Scalar.All(0)))
            {
                Cv2.Rectangle(upper, new Rect(0, 0, size.Width, Math.Clamp((int)noseTip, 0, size.Height)), Scalar.All(255), -1);
                using var notFeature = new Mat();
                Cv2.BitwiseNot(features, notFeature);
                Cv2.BitwiseAnd(outline, upper, candidate);
                Cv2.BitwiseAnd(candidate, notFeature, candidate);
            }

            var hair = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
            Classify(channels, candidate, skin, spread, hair, points[17].X, points[26].X);
            using (var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3)))
                Cv2.MorphologyEx(hair, hair, MorphTypes.Open, kernel);
            KeepReachingEdge(hair, outline, size);
            // Hair's edge pixels are half skin, half hair: taken in, so no dark fringe is left around the fill.
            using (var grow = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 5)))
                Cv2.Dilate(hair, hair, grow);
            Cv2.BitwiseAnd(hair, outline, hair);
            using (var notFeature = new Mat())
            {
                Cv2.BitwiseNot(features, notFeature);
                Cv2.BitwiseAnd(hair, notFeature, hair);
            }
            return hair;
        }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
        }
    }

    private static Mat OutlineMask(Size size, Point2f[] points)
    {
        var mask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillConvexPoly(mask, Cv2.ConvexHull(FaceOutline.Of(points, 1f)), Scalar.All(255));
        return mask;
    }

    /// <summary>Brows with eyes, the nose and the mouth, each as its hull grown a little: never taken for hair.</summary>
    private static Mat FeatureMask(Size size, Point2f[] points)
    {
        var mask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        Range[][] parts =
        [
            [Face68.RightBrow, Face68.RightEye],
            [Face68.LeftBrow, Face68.LeftEye],
            [Face68.NoseBridge, Face68.NoseBase],
            [Face68.OuterMouth],
        ];
        foreach (var part in parts)
        {
            var hull = Cv2.ConvexHull(part.SelectMany(r => points[r].AsEnumerable()).Select(p => new Point((int)MathF.Round(p.X), (int)MathF.Round(p.Y))));
            Cv2.FillConvexPoly(mask, hull, Scalar.All(255));
        }
        var grow = Math.Max(3, (int)(0.03f * size.Width)) | 1;
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(grow, grow));
        Cv2.Dilate(mask, mask, kernel);
        return mask;
    }

    /// <summary>The cheeks: inside the outline shrunk, between the eyes' lower edge and the nose tip, no feature.</summary>
    private static Mat CheekMask(Size size, Point2f[] points, Mat outline, Mat features)
    {
        var mask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillConvexPoly(mask, Cv2.ConvexHull(FaceOutline.Of(points, 0.8f)), Scalar.All(255));
        var eyesBottom = (int)MathF.Ceiling(MathF.Max(points[40].Y, points[47].Y));
        var noseTip = (int)MathF.Floor(points[Face68.NoseTip].Y);
        using (var band = new Mat(size, MatType.CV_8UC1, Scalar.All(0)))
        {
            if (noseTip > eyesBottom) Cv2.Rectangle(band, new Rect(0, eyesBottom, size.Width, noseTip - eyesBottom), Scalar.All(255), -1);
            Cv2.BitwiseAnd(mask, band, mask);
        }
        Cv2.BitwiseAnd(mask, outline, mask);
        using var notFeature = new Mat();
        Cv2.BitwiseNot(features, notFeature);
        Cv2.BitwiseAnd(mask, notFeature, mask);
        return mask;
    }

    /// <summary>Median and median absolute deviation of L, a, b over <paramref name="mask"/>.</summary>
    private static (double[] Median, double[] Spread) Statistics(Mat[] channels, Mat mask)
    {
        var median = new double[3];
        var spread = new double[3];
        for (var c = 0; c < 3; c++)
        {
            var values = Values(channels[c], mask);
            if (values.Count == 0) return ([128, 128, 128], [255, 255, 255]);
            values.Sort();
            median[c] = values[values.Count / 2];
            var deviations = values.Select(v => Math.Abs(v - median[c])).Order().ToList();
            spread[c] = deviations[deviations.Count / 2];
        }
        return (median, spread);
    }

    private static unsafe List<float> Values(Mat channel, Mat mask)
    {
        var values = new List<float>();
        int rows = channel.Rows, cols = channel.Cols;
        for (var y = 0; y < rows; y++)
        {
            var row = (float*)channel.Ptr(y);
            var inside = (byte*)mask.Ptr(y);
            for (var x = 0; x < cols; x++)
                if (inside[x] != 0) values.Add(row[x]);
        }
        return values;
    }

    private static unsafe void Classify(Mat[] channels, Mat candidate, double[] skin, double[] spread, Mat hair, float rightTemple, float leftTemple)
    {
        var darker = Math.Max(DarkerBy, SpreadFactor * spread[0]);
        var lighter = Math.Max(LighterBy, SpreadFactor * spread[0]);
        var hueApart = Math.Max(HueApart, SpreadFactor * Math.Sqrt(spread[1] * spread[1] + spread[2] * spread[2]));
        var skinChroma = Math.Sqrt((skin[1] - 128) * (skin[1] - 128) + (skin[2] - 128) * (skin[2] - 128));
        int rows = hair.Rows, cols = hair.Cols;
        for (var y = 0; y < rows; y++)
        {
            var l = (float*)channels[0].Ptr(y);
            var a = (float*)channels[1].Ptr(y);
            var b = (float*)channels[2].Ptr(y);
            var inside = (byte*)candidate.Ptr(y);
            var output = (byte*)hair.Ptr(y);
            for (var x = 0; x < cols; x++)
            {
                if (inside[x] == 0) continue;
                var hue = Math.Sqrt((a[x] - skin[1]) * (a[x] - skin[1]) + (b[x] - skin[2]) * (b[x] - skin[2]));
                var chroma = Math.Sqrt((a[x] - 128) * (a[x] - 128) + (b[x] - 128) * (b[x] - 128));
                var isHair = ((x < rightTemple || x > leftTemple) && l[x] < skin[0] - darker)
                    || hue > hueApart
                    || (l[x] > skin[0] + lighter && chroma < 0.5 * skinChroma);
                if (isHair) output[x] = 255;
            }
        }
    }

    /// <summary>Keeps only the patches of <paramref name="hair"/> that touch the band along the outline's edge.</summary>
    private static void KeepReachingEdge(Mat hair, Mat outline, Size size)
    {
        using var inner = new Mat();
        var band = Math.Max(3, (int)(EdgeBand * size.Width) * 2 + 1);
        using (var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(band, band)))
            Cv2.Erode(outline, inner, kernel);
        using var edge = new Mat();
        Cv2.Subtract(outline, inner, edge);
        using var labels = new Mat();
        var count = Cv2.ConnectedComponents(hair, labels, PixelConnectivity.Connectivity8, MatType.CV_32S);
        if (count <= 1) return;
        var reaches = new bool[count];
        ForEach(labels, edge, (label, onEdge) => { if (onEdge) reaches[label] = true; });
        using var keep = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        SetWhere(labels, keep, label => label > 0 && reaches[label]);
        keep.CopyTo(hair);
    }

    private static unsafe void ForEach(Mat labels, Mat edge, Action<int, bool> visit)
    {
        int rows = labels.Rows, cols = labels.Cols;
        for (var y = 0; y < rows; y++)
        {
            var row = (int*)labels.Ptr(y);
            var onEdge = (byte*)edge.Ptr(y);
            for (var x = 0; x < cols; x++) if (row[x] > 0) visit(row[x], onEdge[x] != 0);
        }
    }

    private static unsafe void SetWhere(Mat labels, Mat output, Func<int, bool> keep)
    {
        int rows = labels.Rows, cols = labels.Cols;
        for (var y = 0; y < rows; y++)
        {
            var row = (int*)labels.Ptr(y);
            var target = (byte*)output.Ptr(y);
            for (var x = 0; x < cols; x++) if (keep(row[x])) target[x] = 255;
        }
    }

    /// <summary>
    /// Hair pixels become the skin's colour as it runs across the face there: a blur of the face's skin pixels
    /// (inside the outline, no hair, no feature) normalised by how much skin it saw, so the fill carries the
    /// donor's own light from the forehead into the temple. Feathered at its edge.
    /// </summary>
    private static void Fill(Mat canonical, Mat alpha, Point2f[] points, Mat hair)
    {
        var size = canonical.Size();
        using var outline = OutlineMask(size, points);
        using var features = FeatureMask(size, points);
        using var skin = new Mat();
        using (var notHair = new Mat())
        using (var notFeature = new Mat())
        {
            Cv2.BitwiseNot(hair, notHair);
            Cv2.BitwiseNot(features, notFeature);
            Cv2.BitwiseAnd(outline, notHair, skin);
            Cv2.BitwiseAnd(skin, notFeature, skin);
        }
        using var weight = new Mat();
        skin.ConvertTo(weight, MatType.CV_32FC1, 1.0 / 255);
        using var colour = new Mat();
        canonical.ConvertTo(colour, MatType.CV_32FC3);
        using var weight3 = new Mat();
        Cv2.Merge([weight, weight, weight], weight3);
        using var weighted = new Mat();
        Cv2.Multiply(colour, weight3, weighted);
        var sigma = SkinSigma * size.Width;
        using var spreadColour = new Mat();
        using var spreadWeight = new Mat();
        Cv2.GaussianBlur(weighted, spreadColour, new Size(0, 0), sigma, sigma, BorderTypes.Replicate);
        Cv2.GaussianBlur(weight3, spreadWeight, new Size(0, 0), sigma, sigma, BorderTypes.Replicate);
        Cv2.Max(spreadWeight, Scalar.All(1e-4), spreadWeight);
        using var fill = new Mat();
        Cv2.Divide(spreadColour, spreadWeight, fill);

        using var alpha3 = new Mat();
        Cv2.Merge([alpha, alpha, alpha], alpha3);
        using var blended = new Mat();
        using var difference = new Mat();
        Cv2.Subtract(fill, colour, difference);
        Cv2.Multiply(difference, alpha3, difference);
        Cv2.Add(colour, difference, blended);
        blended.ConvertTo(canonical, MatType.CV_8UC3);
    }
}
