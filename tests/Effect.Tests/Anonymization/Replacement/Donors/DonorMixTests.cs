using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using OpenCvSharp;

namespace Deid.Effect.Tests.Anonymization.Replacement.Donors;

/// <summary>
/// Two donors blended: where one of them had hair inside her outline, the other's skin takes the place alone; where
/// both had, the mix keeps their painted-over skin. Donors here are drawn: one striped, one flat, on the same landmarks.
/// </summary>
public sealed class DonorMixTests
{
    private const int Size = CanonicalFace.Size;

    [Fact]
    public void Where_one_donor_had_hair_the_other_alone_makes_the_face()
    {
        var points = Points();
        using var striped = new DonorFace("striped", Stripes(), points, [], 0, HairOnLeftHalf());
        using var flat = new DonorFace("flat", new Mat(Size, Size, MatType.CV_8UC3, Scalar.All(100)), points, [], 1);
        using var renderer = new DonorRenderer();
        using var mixed = renderer.Mix([(striped, 0.6f), (flat, 0.4f)], points);

        var (leftMean, leftSpread) = Measure(mixed, new Rect(10, 10, Size / 2 - 20, Size - 20));
        var (_, rightSpread) = Measure(mixed, new Rect(Size / 2 + 10, 10, Size / 2 - 20, Size - 20));
        // Left: the flat donor alone (her grey, no stripes); right: 60 % of stripes 60/140 (spread 40) over her grey: 24.
        Assert.InRange(leftMean, 97, 103);
        Assert.True(leftSpread < 2, $"stripes left where the striped donor had hair: spread {leftSpread:0.0}");
        Assert.True(rightSpread > 15, $"the striped donor is missing where she had no hair: spread {rightSpread:0.0}");
    }

    [Fact]
    public void Where_every_donor_had_hair_the_plain_mix_stays()
    {
        var points = Points();
        using var striped = new DonorFace("striped", Stripes(), points, [], 0, HairOnLeftHalf());
        using var flat = new DonorFace("flat", new Mat(Size, Size, MatType.CV_8UC3, Scalar.All(100)), points, [], 1, HairOnLeftHalf());
        using var renderer = new DonorRenderer();
        using var mixed = renderer.Mix([(striped, 0.6f), (flat, 0.4f)], points);
        var (_, leftSpread) = Measure(mixed, new Rect(10, 10, Size / 2 - 20, Size - 20));
        Assert.True(leftSpread > 15, $"the plain mix was not kept where both donors had hair: spread {leftSpread:0.0}");
    }

    private static Point2f[] Points()
    {
        // Any 68 points do: both donors stand on the same ones, so the warp moves nothing.
        var points = new Point2f[68];
        for (var i = 0; i < points.Length; i++) points[i] = new Point2f(30 + 100 * (i % 9) / 8f, 30 + 100 * (i / 9) / 7f);
        return points;
    }

    /// <summary>Vertical stripes 60 / 140, four pixels wide.</summary>
    private static Mat Stripes()
    {
        var image = new Mat(Size, Size, MatType.CV_8UC3, Scalar.All(60));
        for (var x = 0; x < Size; x += 8) Cv2.Rectangle(image, new Rect(x, 0, 4, Size), Scalar.All(140), -1);
        return image;
    }

    private static Mat HairOnLeftHalf()
    {
        var hair = new Mat(Size, Size, MatType.CV_32FC1, Scalar.All(0));
        Cv2.Rectangle(hair, new Rect(0, 0, Size / 2, Size), Scalar.All(1), -1);
        return hair;
    }

    private static (double Mean, double Spread) Measure(Mat image, Rect area)
    {
        using var crop = new Mat(image, area);
        Cv2.MeanStdDev(crop, out var mean, out var spread);
        return (mean.Val0, spread.Val0);
    }
}
