using OpenCvSharp;

namespace Deid.Effect.Geometry;

/// <summary>Least-squares 2-D similarity (rotation, uniform scale, translation) between point sets.</summary>
public static class SimilarityTransform
{
    /// <summary>The 2x3 matrix that maps <paramref name="from"/> onto <paramref name="to"/> best in the least-squares sense.</summary>
    public static double[,] Estimate(ReadOnlySpan<Point2f> from, ReadOnlySpan<Point2f> to)
    {
        if (from.Length != to.Length || from.Length < 2) throw new ArgumentException("need two or more matching points");
        double fx = 0, fy = 0, tx = 0, ty = 0;
        for (var i = 0; i < from.Length; i++) { fx += from[i].X; fy += from[i].Y; tx += to[i].X; ty += to[i].Y; }
        fx /= from.Length; fy /= from.Length; tx /= to.Length; ty /= to.Length;

        double norm = 0, a = 0, b = 0;
        for (var i = 0; i < from.Length; i++)
        {
            double x = from[i].X - fx, y = from[i].Y - fy, u = to[i].X - tx, v = to[i].Y - ty;
            norm += x * x + y * y;
            a += x * u + y * v;
            b += x * v - y * u;
        }
        if (norm < 1e-9) throw new ArgumentException("points are degenerate");
        a /= norm; b /= norm;
        return new[,] { { a, -b, tx - (a * fx - b * fy) }, { b, a, ty - (b * fx + a * fy) } };
    }

    public static Mat ToMat(double[,] m)
    {
        var mat = new Mat(2, 3, MatType.CV_64FC1);
        for (var r = 0; r < 2; r++) for (var c = 0; c < 3; c++) mat.Set(r, c, m[r, c]);
        return mat;
    }

    public static Point2f Apply(double[,] m, Point2f p) =>
        new((float)(m[0, 0] * p.X + m[0, 1] * p.Y + m[0, 2]), (float)(m[1, 0] * p.X + m[1, 1] * p.Y + m[1, 2]));
}
