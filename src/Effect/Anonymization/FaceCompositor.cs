using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>
/// Anonymizes faces in place: for each region, the method paints a patch and the patch is blended into the frame
/// through the face's soft mask. Buffers are reused across faces and frames.
/// </summary>
public sealed class FaceCompositor(IAnonymizer anonymizer, MaskOptions mask) : IDisposable
{
    private readonly Mat _patch = new();
    private byte[] _mask = [];

    public IAnonymizer Anonymizer { get; } = anonymizer;

    public MaskOptions Mask { get; } = mask;

    public void Apply(Mat bgrFrame, IEnumerable<FaceRegion> regions)
    {
        if (bgrFrame.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR frame, got {bgrFrame.Type()}");
        // A method that works from the regions themselves (tracks, landmarks) paints and blends on its own.
        if (Anonymizer is IRegionAnonymizer regional)
        {
            regional.Apply(bgrFrame, regions as IReadOnlyList<FaceRegion> ?? regions.ToList(), Mask);
            return;
        }
        foreach (var region in regions) Apply(bgrFrame, FaceEllipse.From(region, Mask.Scale));
    }

    public void Apply(Mat bgrFrame, FaceEllipse face)
    {
        var roi = face.Bounds(1f + Mask.Feather, bgrFrame.Width, bgrFrame.Height);
        if (roi.Width <= 0 || roi.Height <= 0) return;

        var pixels = roi.Width * roi.Height;
        if (_mask.Length < pixels) _mask = new byte[pixels];
        var mask = _mask.AsSpan(0, pixels);
        SoftMask.Render(face, roi, Mask.Feather, mask);

        _patch.Create(roi.Size, MatType.CV_8UC3);
        Anonymizer.Render(bgrFrame, roi, face, _patch, mask);
        Blend(bgrFrame, roi, _patch, mask);
    }

    private static unsafe void Blend(Mat frame, Rect roi, Mat patch, ReadOnlySpan<byte> mask)
    {
        var frameStep = (long)frame.Step();
        var patchStep = (long)patch.Step();
        var frameData = (byte*)frame.Data;
        var patchData = (byte*)patch.Data;
        for (var y = 0; y < roi.Height; y++)
        {
            var target = frameData + (roi.Y + y) * frameStep + roi.X * 3;
            var source = patchData + y * patchStep;
            var weights = mask.Slice(y * roi.Width, roi.Width);
            for (var x = 0; x < roi.Width; x++)
            {
                int m = weights[x];
                if (m == 0) continue;
                if (m == 255)
                {
                    target[3 * x] = source[3 * x];
                    target[3 * x + 1] = source[3 * x + 1];
                    target[3 * x + 2] = source[3 * x + 2];
                    continue;
                }
                var inverse = 255 - m;
                target[3 * x] = (byte)((source[3 * x] * m + target[3 * x] * inverse + 127) / 255);
                target[3 * x + 1] = (byte)((source[3 * x + 1] * m + target[3 * x + 1] * inverse + 127) / 255);
                target[3 * x + 2] = (byte)((source[3 * x + 2] * m + target[3 * x + 2] * inverse + 127) / 255);
            }
        }
    }

    public void Dispose()
    {
        _patch.Dispose();
        (Anonymizer as IDisposable)?.Dispose();
    }
}
