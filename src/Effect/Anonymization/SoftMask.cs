namespace Deid.Effect.Anonymization;

/// <summary>
/// Renders the feathered ellipse mask of a face into a byte buffer: 255 everywhere inside the ellipse (so the face
/// itself is always fully covered) and a smooth fall-off to 0 over the feather band outside it.
/// </summary>
public static class SoftMask
{
    public static void Render(FaceEllipse ellipse, OpenCvSharp.Rect roi, float feather, Span<byte> mask)
    {
        if (mask.Length < roi.Width * roi.Height) throw new ArgumentException("mask buffer too small");
        var cos = MathF.Cos(ellipse.AngleRadians);
        var sin = MathF.Sin(ellipse.AngleRadians);
        var inverseA = 1f / MathF.Max(ellipse.SemiAxisX, 0.5f);
        var inverseB = 1f / MathF.Max(ellipse.SemiAxisY, 0.5f);
        var band = MathF.Max(feather, 1e-3f);
        for (var y = 0; y < roi.Height; y++)
        {
            var dy = roi.Y + y + 0.5f - ellipse.Center.Y;
            var row = mask.Slice(y * roi.Width, roi.Width);
            for (var x = 0; x < roi.Width; x++)
            {
                var dx = roi.X + x + 0.5f - ellipse.Center.X;
                var u = (dx * cos + dy * sin) * inverseA;
                var v = (-dx * sin + dy * cos) * inverseB;
                var r = MathF.Sqrt(u * u + v * v);
                if (r <= 1f) { row[x] = 255; continue; }
                var t = (r - 1f) / band;
                if (t >= 1f) { row[x] = 0; continue; }
                var s = 1f - t * t * (3f - 2f * t);
                row[x] = (byte)(s * 255f + 0.5f);
            }
        }
    }
}
