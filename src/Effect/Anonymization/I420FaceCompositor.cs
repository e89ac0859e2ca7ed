using Deid.Effect.Imaging;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>
/// Anonymizes faces directly in a 4:2:0 frame (the three planes, as decoded): only the area around the faces is
/// converted to BGR for the anonymizer, and only the 2x2 blocks it changed are converted back. Every other sample
/// of the frame reaches the encoder exactly as it was decoded. The inner compositor stays its creator's to dispose.
/// A method that works from the regions themselves (<see cref="IRegionAnonymizer"/>: replace) gets every face of the
/// frame in one call, in one area wide enough for what it reads around them, so it sees the frame as a full-frame
/// render does: faces in their order, each checked against the untouched frame, recognizer chips not cut off.
/// </summary>
public sealed class I420FaceCompositor(FaceCompositor inner, YuvMatrix matrix) : IDisposable
{
    /// <summary>Context around the masks that methods may read (a blur radius, a mosaic block), as a fraction of the face size.</summary>
    private const float ContextMargin = 0.5f;

    /// <summary>
    /// Context a region method reads around a face, as a fraction of the face size: the canonical square it renders
    /// in and the recognizer chip of its safety check reach about twice the face's size from its centre.
    /// </summary>
    private const float RegionContextMargin = 2.5f;

    private readonly Mat _bgr = new();
    private readonly Mat _before = new();

    public FaceCompositor Inner { get; } = inner;

    /// <param name="planes">CV_8UC1, width x height*3/2: Y, then U and V at half size.</param>
    public void Apply(Mat planes, int width, int height, IReadOnlyList<FaceRegion> regions)
    {
        if (regions.Count == 0) return;
        if (width % 2 != 0 || height % 2 != 0) throw new ArgumentException("4:2:0 frames need even sides");
        if (Inner.Anonymizer is IRegionAnonymizer)
        {
            ApplyTogether(planes, width, height, regions);
            return;
        }
        // One face at a time: the union of faces spread over a frame would convert most of it.
        foreach (var region in regions)
        {
            var area = WorkArea(region, width, height);
            if (area.Width <= 0 || area.Height <= 0) continue;
            I420.ToBgr(planes, width, height, area, matrix, _bgr);
            _bgr.CopyTo(_before);
            Inner.Apply(_bgr, [region.Shifted(area.X, area.Y)]);
            WriteBackChanged(planes, width, height, area);
        }
    }

    private void ApplyTogether(Mat planes, int width, int height, IReadOnlyList<FaceRegion> regions)
    {
        var area = regions.Select(r => WorkArea(r, width, height, RegionContextMargin)).Where(a => a.Width > 0 && a.Height > 0)
            .Aggregate(new Rect(), (union, a) => union.Width == 0 ? a : union.Union(a));
        if (area.Width <= 0 || area.Height <= 0) return;
        I420.ToBgr(planes, width, height, area, matrix, _bgr);
        _bgr.CopyTo(_before);
        Inner.Apply(_bgr, regions.Select(region => region.Shifted(area.X, area.Y)).ToList());
        WriteBackChanged(planes, width, height, area);
    }

    private Rect WorkArea(FaceRegion region, int width, int height, float context = ContextMargin) =>
        I420.WholeBlocks(Inner.Mask.AreaOf(region, width, height, context), width, height);

    /// <summary>Converts back every 2x2 block with a changed pixel: luma per pixel, chroma from the block's mean.</summary>
    private unsafe void WriteBackChanged(Mat planes, int width, int height, Rect area)
    {
        var data = (byte*)planes.Data;
        var uPlane = data + width * height;
        var vPlane = uPlane + width / 2 * (height / 2);
        var (yScale, yOffset, cScale) = I420.Scales(matrix);
        for (var y = 0; y < area.Height; y += 2)
        {
            var after0 = (byte*)_bgr.Ptr(y);
            var after1 = (byte*)_bgr.Ptr(y + 1);
            var before0 = (byte*)_before.Ptr(y);
            var before1 = (byte*)_before.Ptr(y + 1);
            for (var x = 0; x < area.Width; x += 2)
            {
                var i = 3 * x;
                if (Same(before0 + i, after0 + i, 6) && Same(before1 + i, after1 + i, 6)) continue;
                double sumB = 0, sumR = 0, sumY = 0;
                for (var dy = 0; dy < 2; dy++)
                {
                    var row = dy == 0 ? after0 : after1;
                    var yRow = data + (area.Y + y + dy) * width + area.X + x;
                    for (var dx = 0; dx < 2; dx++)
                    {
                        var p = row + i + 3 * dx;
                        double b = p[0] / 255.0, g = p[1] / 255.0, r = p[2] / 255.0;
                        var luma = matrix.Kr * r + matrix.Kg * g + matrix.Kb * b;
                        yRow[dx] = ToByte(luma * yScale + yOffset);
                        sumY += luma; sumB += b; sumR += r;
                    }
                }
                var meanY = sumY / 4;
                var cb = (sumB / 4 - meanY) / (2 * (1 - matrix.Kb));
                var cr = (sumR / 4 - meanY) / (2 * (1 - matrix.Kr));
                var c = (area.Y + y) / 2 * (width / 2) + (area.X + x) / 2;
                uPlane[c] = ToByte(cb * cScale + 128);
                vPlane[c] = ToByte(cr * cScale + 128);
            }
        }
    }

    private static unsafe bool Same(byte* a, byte* b, int count)
    {
        for (var i = 0; i < count; i++) if (a[i] != b[i]) return false;
        return true;
    }

    private static byte ToByte(double value) => I420.ToByte(value);

    public void Dispose()
    {
        _bgr.Dispose();
        _before.Dispose();
    }
}
