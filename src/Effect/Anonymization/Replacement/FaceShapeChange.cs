using Deid.Effect.Landmarks;
using OpenCvSharp;
using Range = System.Range;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// A change of the face's identifying proportions: each value is in -1..1 of its limit in <see cref="FaceShapeLimits"/>.
/// Applied to 68 landmarks in the canonical frame (x across the face, y down, the face upright), it gives where
/// each landmark goes.
/// </summary>
public sealed record FaceShapeChange(
    float EyeSpacing, float EyeSize, float BrowHeight, float BrowTilt, float NoseWidth, float NoseLength,
    float MouthSize, float LipThickness, float JawWidth, float ChinLength)
{
    public static FaceShapeChange None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Every change multiplied by <paramref name="factor"/> (planning's boost beyond the limits).</summary>
    public FaceShapeChange Scaled(float factor) => new(EyeSpacing * factor, EyeSize * factor, BrowHeight * factor, BrowTilt * factor,
        NoseWidth * factor, NoseLength * factor, MouthSize * factor, LipThickness * factor, JawWidth * factor, ChinLength * factor);

    public static FaceShapeChange Random(Random random, float minimumMagnitude)
    {
        float Next() => (random.Next(2) == 0 ? -1 : 1) * (minimumMagnitude + (1 - minimumMagnitude) * random.NextSingle());
        return new FaceShapeChange(Next(), Next(), Next(), Next(), Next(), Next(), Next(), Next(), Next(), Next());
    }

    /// <summary>Where the <paramref name="points"/> (canonical frame) go under this change.</summary>
    public Point2f[] Apply(ReadOnlySpan<Point2f> points, FaceShapeLimits limits)
    {
        var result = points.ToArray();
        var rightEye = Face68.Centre(points, Face68.RightEye);
        var leftEye = Face68.Centre(points, Face68.LeftEye);
        var mouth = Face68.Centre(points, Face68.OuterMouth);
        var eyes = new Point2f((rightEye.X + leftEye.X) / 2, (rightEye.Y + leftEye.Y) / 2);
        var unit = MathF.Max(1e-3f, Face68.Distance(eyes, mouth));
        var midline = eyes.X;

        // Eyes: uniform scale about each eye's centre (keeps the opening ratio), then out or in from the midline.
        var eyeScale = 1 + EyeSize * limits.EyeSize;
        var eyeShift = EyeSpacing * limits.EyeSpacing * unit;
        ScaleAbout(result, Face68.RightEye, rightEye, eyeScale, eyeScale);
        ScaleAbout(result, Face68.LeftEye, leftEye, eyeScale, eyeScale);
        Move(result, Face68.RightEye, -eyeShift, 0);
        Move(result, Face68.LeftEye, eyeShift, 0);

        // Brows follow the eyes sideways, move up or down, and tilt symmetrically.
        var browLift = -BrowHeight * limits.BrowHeight * unit;
        var tilt = BrowTilt * limits.BrowTilt * MathF.PI / 180;
        Move(result, Face68.RightBrow, -0.7f * eyeShift, browLift);
        Move(result, Face68.LeftBrow, 0.7f * eyeShift, browLift);
        RotateAbout(result, Face68.RightBrow, Face68.Centre(result, Face68.RightBrow), tilt);
        RotateAbout(result, Face68.LeftBrow, Face68.Centre(result, Face68.LeftBrow), -tilt);

        // Nose: nostrils wider or narrower about the tip's column; tip and nostrils up or down, the bridge in between.
        var noseCentre = points[Face68.NoseTip];
        ScaleAbout(result, Face68.NoseBase, noseCentre, 1 + NoseWidth * limits.NoseWidth, 1);
        var noseDrop = NoseLength * limits.NoseLength * unit;
        Move(result, Face68.NoseBase, 0, noseDrop);
        result[Face68.NoseTip].Y += noseDrop;
        result[29].Y += noseDrop * 0.66f;
        result[28].Y += noseDrop * 0.33f;

        // Mouth: uniform scale about its centre (keeps the opening ratio).
        var mouthScale = 1 + MouthSize * limits.MouthSize;
        ScaleAbout(result, 48..68, mouth, mouthScale, mouthScale);
        // Lips: the outer line moves away from (or towards) the inner one; the inner line, the opening, stays.
        var lips = LipThickness * limits.LipThickness;
        for (var i = 49; i < 60; i++)
        {
            if (i == Face68.MouthLeftCorner) continue;
            var inner = result[InnerPartner(i)];
            result[i] = new Point2f(result[i].X + (result[i].X - inner.X) * lips * 0.3f, result[i].Y + (result[i].Y - inner.Y) * lips);
        }

        // Jaw: wider or narrower at the cheeks, chin longer or shorter; the jaw's top ends stay near the ears.
        var jawScale = JawWidth * limits.JawWidth;
        var chinDrop = ChinLength * limits.ChinLength * unit;
        for (var i = 0; i < 17; i++)
        {
            var along = MathF.Abs(i - 8) / 8f; // 0 at the chin, 1 at the ear
            var widthWeight = MathF.Sin(MathF.PI * Math.Clamp(along, 0, 1)); // most at the cheeks
            result[i].X += (points[i].X - midline) * jawScale * (0.4f + 0.6f * widthWeight);
            result[i].Y += chinDrop * MathF.Max(0, 1 - along * 1.4f);
        }
        return result;
    }

    /// <summary>The inner-lip point across from an outer-lip point.</summary>
    private static int InnerPartner(int outer) => outer switch
    {
        49 or 50 => 61,
        51 => 62,
        52 or 53 => 63,
        55 or 56 => 65,
        57 => 66,
        _ => 67,
    };

    private static void ScaleAbout(Point2f[] p, Range range, Point2f centre, float sx, float sy)
    {
        var (offset, length) = range.GetOffsetAndLength(p.Length);
        for (var i = offset; i < offset + length; i++)
            p[i] = new Point2f(centre.X + (p[i].X - centre.X) * sx, centre.Y + (p[i].Y - centre.Y) * sy);
    }

    private static void Move(Point2f[] p, Range range, float dx, float dy)
    {
        var (offset, length) = range.GetOffsetAndLength(p.Length);
        for (var i = offset; i < offset + length; i++) p[i] = new Point2f(p[i].X + dx, p[i].Y + dy);
    }

    private static void RotateAbout(Point2f[] p, Range range, Point2f centre, float angle)
    {
        var (offset, length) = range.GetOffsetAndLength(p.Length);
        var cos = MathF.Cos(angle);
        var sin = MathF.Sin(angle);
        for (var i = offset; i < offset + length; i++)
        {
            var dx = p[i].X - centre.X;
            var dy = p[i].Y - centre.Y;
            p[i] = new Point2f(centre.X + dx * cos - dy * sin, centre.Y + dx * sin + dy * cos);
        }
    }
}
