using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// The smooth regions a <see cref="ShadingChange"/> brightens or darkens, in the canonical frame of side
/// <see cref="CanonicalFace.Size"/>: brow ridge, eye sockets, under the eyes, cheekbones, cheek hollows, nose
/// bridge, sides and tip, chin, jaw, forehead and temples, the places where a face's 3-D shape shows as shading.
/// Each is a Gaussian (a left-right pair for the paired ones, so the face stays symmetric) placed from the
/// canonical template's five points, in units of the eye-to-mouth distance. Built once; read-only afterwards.
/// </summary>
internal static class ShadingBasis
{
    /// <summary>Centre (x from the midline, y down from the eyes' line) and spread (x, y), all in eye-to-mouth units; paired regions mirror x.</summary>
    private static readonly (float X, float Y, float SigmaX, float SigmaY, bool Paired)[] Regions =
    [
        (0.42f, -0.38f, 0.28f, 0.11f, true),  // brow ridge
        (0.30f, -0.12f, 0.11f, 0.09f, true),  // eye sockets, above the inner corners
        (0.42f, 0.15f, 0.18f, 0.08f, true),   // under the eyes
        (0.62f, 0.38f, 0.18f, 0.16f, true),   // cheekbones
        (0.55f, 0.80f, 0.16f, 0.18f, true),   // cheek hollows
        (0f, 0.12f, 0.07f, 0.25f, false),     // nose bridge
        (0.17f, 0.30f, 0.07f, 0.16f, true),   // sides of the nose
        (0f, 0.52f, 0.12f, 0.09f, false),     // nose tip
        (0f, 1.40f, 0.28f, 0.14f, false),     // chin
        (0.72f, 1.15f, 0.15f, 0.20f, true),   // jaw
        (0f, -0.85f, 0.55f, 0.22f, false),    // forehead
        (0.85f, -0.35f, 0.13f, 0.22f, true),  // temples
    ];

    public static int Count => Regions.Length;

    private static readonly Lazy<Mat[]> Images = new(Build);

    /// <summary>The region images, CV_32FC1, peak 1.</summary>
    public static IReadOnlyList<Mat> Basis => Images.Value;

    /// <summary>field = sum of amplitude times region, into <paramref name="field"/> (CV_32FC1, canonical size).</summary>
    public static void Field(IReadOnlyList<float> amplitudes, Mat field)
    {
        const int size = CanonicalFace.Size;
        field.Create(size, size, MatType.CV_32FC1);
        field.SetTo(Scalar.All(0));
        var basis = Basis;
        for (var i = 0; i < basis.Count && i < amplitudes.Count; i++)
        {
            if (amplitudes[i] == 0) continue;
            Cv2.ScaleAdd(basis[i], amplitudes[i], field, field);
        }
    }

    private static unsafe Mat[] Build()
    {
        const int size = CanonicalFace.Size;
        var template = CanonicalFace.Template(size);
        var eyes = new Point2f((template[0].X + template[1].X) / 2, (template[0].Y + template[1].Y) / 2);
        var unit = CanonicalFace.EyeToMouth * size;
        var images = new Mat[Regions.Length];
        for (var r = 0; r < Regions.Length; r++)
        {
            var (rx, ry, sx, sy, paired) = Regions[r];
            var image = new Mat(size, size, MatType.CV_32FC1);
            var centres = paired ? new[] { -rx, rx } : new[] { rx };
            for (var y = 0; y < size; y++)
            {
                var row = (float*)image.Ptr(y);
                var v = (y + 0.5f - eyes.Y) / unit;
                for (var x = 0; x < size; x++)
                {
                    var u = (x + 0.5f - eyes.X) / unit;
                    var value = 0f;
                    foreach (var cx in centres)
                    {
                        var dx = (u - cx) / sx;
                        var dy = (v - ry) / sy;
                        value = MathF.Max(value, MathF.Exp(-0.5f * (dx * dx + dy * dy)));
                    }
                    row[x] = value;
                }
            }
            images[r] = image;
        }
        return images;
    }
}
