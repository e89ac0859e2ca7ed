using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using Deid.Effect.Landmarks;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Anonymization.Replacement.Donors;

/// <summary>
/// A donor's hair inside her face outline is painted over with her skin when she is loaded, so no strand of it is
/// warped onto a new face; what makes the face (brows, eyes, a mole) stays.
/// </summary>
public sealed class StrayHairTests(ITestOutputHelper output, ReplacementFixture models) : IClassFixture<ReplacementFixture>
{
    private static readonly Scalar DarkHair = new(28, 30, 36);

    [Fact]
    public void Strands_reaching_in_from_the_outline_become_skin_and_a_mole_stays()
    {
        var (canonical, points) = Donor("obama.jpg");
        using var ownedCanonical = canonical;
        using var outline = new Mat(canonical.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillConvexPoly(outline, Cv2.ConvexHull(FaceOutline.Of(points, 1f)), Scalar.All(255));

        // Three locks falling from outside the outline's upper corners into the temples and forehead.
        var top = FaceOutline.Of(points, 1f).MinBy(p => p.Y);
        var rightTemple = points[17];
        var leftTemple = points[26];
        using var strands = new Mat(canonical.Size(), MatType.CV_8UC1, Scalar.All(0));
        foreach (var (from, to) in new[]
                 {
                     (new Point(rightTemple.X - 12, top.Y - 14), new Point(rightTemple.X + 6, rightTemple.Y - 4)),
                     (new Point(rightTemple.X - 2, top.Y - 16), new Point(rightTemple.X + 16, rightTemple.Y - 10)),
                     (new Point(leftTemple.X + 12, top.Y - 14), new Point(leftTemple.X - 6, leftTemple.Y - 4)),
                 })
            Cv2.Line(strands, from, to, Scalar.All(255), 3);
        Cv2.BitwiseAnd(strands, outline, strands);
        using (var features = FeatureHulls(canonical.Size(), points, grow: 7))
        {
            using var notFeature = new Mat();
            Cv2.BitwiseNot(features, notFeature);
            Cv2.BitwiseAnd(strands, notFeature, strands);
        }
        canonical.SetTo(DarkHair, strands);
        // A mole in the middle of the forehead, as dark as the hair but nowhere near the outline.
        var brows = new Point2f((points[21].X + points[22].X) / 2, (points[21].Y + points[22].Y) / 2);
        var mole = new Point((int)brows.X, (int)brows.Y - 4);
        using var moleMask = new Mat(canonical.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.Circle(moleMask, mole, 2, Scalar.All(255), -1);
        canonical.SetTo(DarkHair, moleMask);

        using var before = canonical.Clone();
        using var hair = StrayHair.Find(canonical, points);
        var strandPixels = Cv2.CountNonZero(strands);
        using var found = new Mat();
        Cv2.BitwiseAnd(hair, strands, found);
        var foundShare = (double)Cv2.CountNonZero(found) / strandPixels;
        using var moleFound = new Mat();
        Cv2.BitwiseAnd(hair, moleMask, moleFound);
        output.WriteLine($"strands {strandPixels} px, {foundShare:P0} found; hair {Cv2.CountNonZero(hair)} px; mole pixels taken {Cv2.CountNonZero(moleFound)}");
        Assert.True(foundShare >= 0.9, $"only {foundShare:P0} of the strands were taken for hair");
        Assert.Equal(0, Cv2.CountNonZero(moleFound));

        using (var alpha = StrayHair.Remove(canonical, points))
        {
            Assert.Equal(MatType.CV_32FC1, alpha.Type());
            using var covered = new Mat();
            Cv2.Compare(alpha, Scalar.All(0.99), covered, CmpTypes.GE);
            Assert.Equal(Cv2.CountNonZero(hair), Cv2.CountNonZero(covered));
        }
        // The strands are now skin: near the forehead's own colour, far lighter than the hair was.
        var strandColour = Cv2.Mean(canonical, strands);
        var skinColour = Cv2.Mean(before, Forehead(canonical.Size(), points, outline, strands, moleMask));
        output.WriteLine($"strands now {strandColour}, forehead skin {skinColour}");
        for (var c = 0; c < 3; c++)
            Assert.True(Math.Abs(strandColour[c] - skinColour[c]) < 25, $"channel {c}: strands {strandColour[c]:0} vs skin {skinColour[c]:0}");
        // The mole and the brows and eyes are untouched.
        using var moleDifference = new Mat();
        Cv2.Absdiff(before, canonical, moleDifference);
        Cv2.MinMaxLoc(moleDifference.Reshape(1), out _, out var largestOnMole, out _, out _, RepeatedMask(moleMask));
        Assert.True(largestOnMole <= 1, $"the mole changed by {largestOnMole}");
        using var features0 = FeatureHulls(canonical.Size(), points, grow: 0);
        Cv2.MinMaxLoc(moleDifference.Reshape(1), out _, out var largestOnFeatures, out _, out _, RepeatedMask(features0));
        Assert.True(largestOnFeatures <= 2, $"brows, eyes, nose or mouth changed by {largestOnFeatures}");
    }

    [Fact]
    public void A_real_fringe_over_the_temples_is_found_and_the_loaded_donor_carries_it_as_her_hair_mask()
    {
        const string photo = "train_rose_leslie_img2.jpg";
        var (canonical, points) = Donor(photo);
        using var ownedCanonical = canonical;
        using var hair = StrayHair.Find(canonical, points);
        using var outline = new Mat(canonical.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillConvexPoly(outline, Cv2.ConvexHull(FaceOutline.Of(points, 1f)), Scalar.All(255));
        var share = (double)Cv2.CountNonZero(hair) / Cv2.CountNonZero(outline);
        output.WriteLine($"{photo}: {share:P1} of the face outline is hair");
        Assert.True(share >= 0.03, $"only {share:P1} of the outline taken for hair");

        // Loaded as a donor, the portrait carries that hair as her mask (the other donor of a mix takes it over),
        // and her face has far less hair left to find.
        using var bank = DonorBank.Load(SharedAssets.Media("photos"), models.Detector, models.Landmarker, models.Embedder);
        var donor = bank.Faces.Single(f => f.Source == photo);
        using var masked = new Mat();
        Cv2.Compare(donor.Hair, Scalar.All(0.99), masked, CmpTypes.GE);
        using var maskedHair = new Mat();
        Cv2.BitwiseAnd(masked, hair, maskedHair);
        var maskedShare = (double)Cv2.CountNonZero(maskedHair) / Cv2.CountNonZero(hair);
        using var left = StrayHair.Find(donor.Canonical, donor.Points);
        var leftShare = (double)Cv2.CountNonZero(left) / Cv2.CountNonZero(outline);
        output.WriteLine($"loaded: {maskedShare:P0} of the hair in her mask, {leftShare:P1} of the outline still read as hair");
        Assert.True(maskedShare >= 0.95, $"only {maskedShare:P0} of her hair is in the loaded donor's mask");
        Assert.True(leftShare < 0.5 * share, $"{leftShare:P1} of the outline still hair after loading");
    }

    /// <summary>The portrait upright in the canonical frame with its 68 landmarks, as the donor bank prepares it.</summary>
    private (Mat Canonical, Point2f[] Points) Donor(string photo)
    {
        using var image = Cv2.ImRead(SharedAssets.Media("photos", photo), ImreadModes.Color);
        var detection = models.Detector.Detect(image).MaxBy(d => d.Score)!;
        var toCanonical = CanonicalFace.TransformFor(detection.Landmarks, CanonicalFace.Size);
        var points = CanonicalFace.Map(toCanonical, models.Landmarker.Locate(image, detection.Box));
        var canonical = new Mat();
        using (var matrix = Geometry.SimilarityTransform.ToMat(toCanonical))
            Cv2.WarpAffine(image, canonical, matrix, new Size(CanonicalFace.Size, CanonicalFace.Size), InterpolationFlags.Area, BorderTypes.Replicate);
        return (canonical, points);
    }

    private static Mat FeatureHulls(Size size, Point2f[] points, int grow)
    {
        var mask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        foreach (var part in new[] { points[17..22].Concat(points[36..42]), points[22..27].Concat(points[42..48]), points[27..36], points[48..60] })
            Cv2.FillConvexPoly(mask, Cv2.ConvexHull(part.Select(p => new Point((int)MathF.Round(p.X), (int)MathF.Round(p.Y)))), Scalar.All(255));
        if (grow > 0)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(grow, grow));
            Cv2.Dilate(mask, mask, kernel);
        }
        return mask;
    }

    /// <summary>The forehead's skin: between brows and the outline's top, away from the strands and the mole.</summary>
    private static Mat Forehead(Size size, Point2f[] points, Mat outline, Mat strands, Mat mole)
    {
        var mask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        var browTop = (int)points[17..27].Min(p => p.Y);
        Cv2.Rectangle(mask, new Rect((int)points[19].X, 0, Math.Max(1, (int)(points[24].X - points[19].X)), Math.Max(1, browTop - 3)), Scalar.All(255), -1);
        Cv2.BitwiseAnd(mask, outline, mask);
        using var away = new Mat();
        Cv2.BitwiseOr(strands, mole, away);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(9, 9));
        Cv2.Dilate(away, away, kernel);
        Cv2.BitwiseNot(away, away);
        Cv2.BitwiseAnd(mask, away, mask);
        return mask;
    }

    /// <summary>A one-channel mask repeated for each of three interleaved channels (for a CV_8UC3 image seen as one channel).</summary>
    private static Mat RepeatedMask(Mat mask)
    {
        using var three = new Mat();
        Cv2.Merge([mask, mask, mask], three);
        return three.Reshape(1).Clone();
    }
}
