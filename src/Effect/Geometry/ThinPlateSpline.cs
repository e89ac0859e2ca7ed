using OpenCvSharp;

namespace Deid.Effect.Geometry;

/// <summary>
/// A 2-D thin-plate spline: the smoothest mapping that takes each control point to its value (up to a small
/// regularisation, so coinciding control points, such as closed inner lips, do not make it singular). Used
/// backwards for warping: control points are where features go, values are where they come from.
/// </summary>
public sealed class ThinPlateSpline
{
    private readonly Point2f[] _controls;
    private readonly double[] _weightsX;
    private readonly double[] _weightsY;

    public ThinPlateSpline(ReadOnlySpan<Point2f> controls, ReadOnlySpan<Point2f> values, double regularisation = 1e-4)
    {
        if (controls.Length != values.Length || controls.Length < 3) throw new ArgumentException("need three or more matching points");
        _controls = controls.ToArray();
        var n = controls.Length;
        var size = n + 3;
        var system = new double[size, size];
        var right = new double[size, 2];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++) system[i, j] = i == j ? regularisation : Kernel(controls[i], controls[j]);
            system[i, n] = 1; system[i, n + 1] = controls[i].X; system[i, n + 2] = controls[i].Y;
            system[n, i] = 1; system[n + 1, i] = controls[i].X; system[n + 2, i] = controls[i].Y;
            right[i, 0] = values[i].X;
            right[i, 1] = values[i].Y;
        }
        Solve(system, right);
        _weightsX = new double[size];
        _weightsY = new double[size];
        for (var i = 0; i < size; i++) { _weightsX[i] = right[i, 0]; _weightsY[i] = right[i, 1]; }
    }

    public Point2f Map(Point2f p)
    {
        var n = _controls.Length;
        double x = _weightsX[n] + _weightsX[n + 1] * p.X + _weightsX[n + 2] * p.Y;
        double y = _weightsY[n] + _weightsY[n + 1] * p.X + _weightsY[n + 2] * p.Y;
        for (var i = 0; i < n; i++)
        {
            var k = Kernel(p, _controls[i]);
            x += _weightsX[i] * k;
            y += _weightsY[i] * k;
        }
        return new Point2f((float)x, (float)y);
    }

    /// <summary>
    /// Fills CV_32FC1 maps of <paramref name="size"/> for <see cref="Cv2.Remap"/>: each output pixel's source,
    /// with coordinates in pixels divided by <paramref name="unit"/> (the spline's own units). The spline is
    /// evaluated on a grid every <paramref name="step"/> pixels and interpolated in between: it is smooth.
    /// </summary>
    public unsafe void FillMaps(Size size, float unit, int step, Mat mapX, Mat mapY)
    {
        var columns = (size.Width - 1) / step + 2;
        var rows = (size.Height - 1) / step + 2;
        var nodesX = new float[rows, columns];
        var nodesY = new float[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var source = Map(new Point2f(c * step / unit, r * step / unit));
                nodesX[r, c] = source.X * unit;
                nodesY[r, c] = source.Y * unit;
            }
        }
        mapX.Create(size, MatType.CV_32FC1);
        mapY.Create(size, MatType.CV_32FC1);
        for (var y = 0; y < size.Height; y++)
        {
            var rowX = (float*)mapX.Ptr(y);
            var rowY = (float*)mapY.Ptr(y);
            var r = y / step;
            var fy = (float)(y - r * step) / step;
            for (var x = 0; x < size.Width; x++)
            {
                var c = x / step;
                var fx = (float)(x - c * step) / step;
                rowX[x] = Bilinear(nodesX, r, c, fx, fy);
                rowY[x] = Bilinear(nodesY, r, c, fx, fy);
            }
        }
    }

    private static float Bilinear(float[,] nodes, int r, int c, float fx, float fy)
    {
        var top = nodes[r, c] + (nodes[r, c + 1] - nodes[r, c]) * fx;
        var bottom = nodes[r + 1, c] + (nodes[r + 1, c + 1] - nodes[r + 1, c]) * fx;
        return top + (bottom - top) * fy;
    }

    private static double Kernel(Point2f a, Point2f b)
    {
        double dx = a.X - b.X, dy = a.Y - b.Y;
        var r2 = dx * dx + dy * dy;
        return r2 < 1e-12 ? 0 : r2 * Math.Log(r2);
    }

    /// <summary>Gaussian elimination with partial pivoting, in place; the solution ends up in <paramref name="right"/>.</summary>
    private static void Solve(double[,] a, double[,] right)
    {
        var n = a.GetLength(0);
        var columns = right.GetLength(1);
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (Math.Abs(a[pivot, col]) < 1e-12) throw new InvalidOperationException("thin-plate spline system is singular");
            if (pivot != col)
            {
                for (var c = 0; c < n; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                for (var c = 0; c < columns; c++) (right[col, c], right[pivot, c]) = (right[pivot, c], right[col, c]);
            }
            for (var r = col + 1; r < n; r++)
            {
                var factor = a[r, col] / a[col, col];
                if (factor == 0) continue;
                for (var c = col; c < n; c++) a[r, c] -= factor * a[col, c];
                for (var c = 0; c < columns; c++) right[r, c] -= factor * right[col, c];
            }
        }
        for (var r = n - 1; r >= 0; r--)
        {
            for (var c = 0; c < columns; c++)
            {
                var sum = right[r, c];
                for (var k = r + 1; k < n; k++) sum -= a[r, k] * right[k, c];
                right[r, c] = sum / a[r, r];
            }
        }
    }
}
