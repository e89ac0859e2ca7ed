using Deid.Effect.Geometry;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// Backward thin-plate warp in the canonical frame: each output pixel looks up where its landmark-relative
/// position was, so landmarks <c>from</c> of the source land on <c>to</c>; the square's border stays put.
/// </summary>
internal sealed class LandmarkWarp : IDisposable
{
    private const int Size = CanonicalFace.Size;
    private const int BorderAnchorsPerSide = 5;
    private static readonly Point2f[] Anchors = BorderAnchors();

    private readonly Mat _mapX = new();
    private readonly Mat _mapY = new();

    public void Warp(Mat source, Point2f[] from, Point2f[] to, Mat output)
    {
        var controls = new Point2f[to.Length + Anchors.Length];
        var values = new Point2f[to.Length + Anchors.Length];
        for (var i = 0; i < to.Length; i++)
        {
            controls[i] = new Point2f(to[i].X / Size, to[i].Y / Size);
            values[i] = new Point2f(from[i].X / Size, from[i].Y / Size);
        }
        for (var i = 0; i < Anchors.Length; i++) controls[to.Length + i] = values[to.Length + i] = Anchors[i];
        var spline = new ThinPlateSpline(controls, values);
        spline.FillMaps(new Size(Size, Size), Size, 8, _mapX, _mapY);
        Cv2.Remap(source, output, _mapX, _mapY, InterpolationFlags.Linear, BorderTypes.Replicate);
    }

    private static Point2f[] BorderAnchors()
    {
        var anchors = new List<Point2f>();
        for (var i = 0; i < BorderAnchorsPerSide; i++)
        {
            var t = (float)i / BorderAnchorsPerSide;
            anchors.Add(new Point2f(t, 0));
            anchors.Add(new Point2f(1, t));
            anchors.Add(new Point2f(1 - t, 1));
            anchors.Add(new Point2f(0, 1 - t));
        }
        return anchors.ToArray();
    }

    public void Dispose()
    {
        _mapX.Dispose();
        _mapY.Dispose();
    }
}
