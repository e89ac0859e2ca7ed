using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>
/// Mosaic of blocks scaled to the face: 4 blocks across the face at strength 1, 16 at strength 0. The grid is
/// anchored to the face centre so blocks move with the face instead of crawling over it.
/// </summary>
public sealed class PixelateAnonymizer(float strength) : IAnonymizer, IDisposable
{
    private readonly Mat _small = new();

    public string Name => "pixelate";

    public float Strength { get; } = Math.Clamp(strength, 0f, 1f);

    public void Render(Mat frame, Rect roi, FaceEllipse face, Mat patch, Span<byte> mask)
    {
        var blocksAcross = 16f - 12f * Strength;
        var block = Math.Max(2, (int)MathF.Round(2 * face.SemiAxisX / blocksAcross));
        // Grid anchored on the face centre: extend the region to whole blocks around it.
        var cx = (int)MathF.Round(face.Center.X);
        var cy = (int)MathF.Round(face.Center.Y);
        var left = cx - (cx - roi.X + block - 1) / block * block;
        var top = cy - (cy - roi.Y + block - 1) / block * block;
        var columns = (roi.Right - left + block - 1) / block;
        var rows = (roi.Bottom - top + block - 1) / block;
        var grid = new Rect(left, top, columns * block, rows * block);
        var available = grid.Intersect(new Rect(0, 0, frame.Width, frame.Height));

        using var source = new Mat(frame, available);
        Cv2.Resize(source, _small, new Size(Math.Max(1, available.Width / block), Math.Max(1, available.Height / block)), 0, 0, InterpolationFlags.Area);
        using var mosaic = new Mat();
        Cv2.Resize(_small, mosaic, available.Size, 0, 0, InterpolationFlags.Nearest);
        using var part = new Mat(mosaic, new Rect(roi.X - available.X, roi.Y - available.Y, roi.Width, roi.Height));
        part.CopyTo(patch);
    }

    public void Dispose() => _small.Dispose();
}
