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
    float EyeSlant, float EyeSize, float BrowHeight, float BrowTilt, float NoseWidth, float NostrilHeight,
    float UpperLip, float LowerLip, float CheekWidth, float ChinWidth)
{
    public static FaceShapeChange None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Every change multiplied by <paramref name="factor"/> (planning's boost beyond the limits).</summary>
    public FaceShapeChange Scaled(float factor) => new(EyeSlant * factor, EyeSize * factor, BrowHeight * factor, BrowTilt * factor,
        NoseWidth * factor, NostrilHeight * factor, UpperLip * factor, LowerLip * factor, CheekWidth * factor, ChinWidth * factor);

    public static FaceShapeChange Random(Random random, float minimumMagnitude)
    {
        float Next() => (random.Next(2) == 0 ? -1 : 1) * (minimumMagnitude + (1 - minimumMagnitude) * random.NextSingle());
        return new FaceShapeChange(Next(), Next(), Next(), Next(), Next(), Next(), Next(), Next(), Next(), Next());
    }

    /// <summary>Where the <paramref name="points"/> (canonical frame) go under this change.</summary>
    /// <remarks>
    /// The points a head-pose estimate rests on stay where they are: nose tip, chin, the eyes' outer corners and
    /// the mouth corners. So the identity changes around them (eye size and spacing through the inner corners,
    /// brows, nostrils, lips, cheeks and chin width) while pose, and the recognizer's own alignment, stay.
    /// </remarks>
    public Point2f[] Apply(ReadOnlySpan<Point2f> points, FaceShapeLimits limits)
    {
        var result = points.ToArray();
        var rightEye = Face68.Centre(points, Face68.RightEye);
        var leftEye = Face68.Centre(points, Face68.LeftEye);
        var mouth = Face68.Centre(points, Face68.OuterMouth);
        var eyes = new Point2f((rightEye.X + leftEye.X) / 2, (rightEye.Y + leftEye.Y) / 2);
        var unit = MathF.Max(1e-3f, Face68.Distance(eyes, mouth));
        var midline = (points[Face68.NoseTip].X + eyes.X) / 2;

        // Eyes: uniform scale about the outer corner (keeps the opening ratio and the corner), which moves the
        // inner corner and so the spacing; then the eye turns about the outer corner (the slant of the eye).
        var eyeScale = 1 + EyeSize * limits.EyeSize;
        var slant = EyeSlant * limits.EyeSlant * MathF.PI / 180;
        ScaleAbout(result, Face68.RightEye, points[36], eyeScale, eyeScale);
        ScaleAbout(result, Face68.LeftEye, points[45], eyeScale, eyeScale);
        RotateAbout(result, Face68.RightEye, points[36], -slant);
        RotateAbout(result, Face68.LeftEye, points[45], slant);

        // Brows move up or down and tilt symmetrically; their inner ends follow the eyes' inner corners.
        var browLift = -Math.Clamp(BrowHeight, -1, 1) * limits.BrowHeight * unit;
        var tilt = Math.Clamp(BrowTilt, -1, 1) * limits.BrowTilt * MathF.PI / 180;
        var innerShift = (result[39].X - points[39].X) * 0.7f;
        Move(result, Face68.RightBrow, 0, browLift);
        Move(result, Face68.LeftBrow, 0, browLift);
        for (var i = 0; i < 5; i++)
        {
            var weight = i / 4f; // 0 at the outer end, 1 at the inner end
            result[17 + i].X += innerShift * weight;
            result[26 - i].X -= innerShift * weight;
        }
        RotateAbout(result, Face68.RightBrow, Face68.Centre(result, Face68.RightBrow), tilt);
        RotateAbout(result, Face68.LeftBrow, Face68.Centre(result, Face68.LeftBrow), -tilt);

        // Nose: nostrils wider or narrower about the tip's column, higher or lower against the tip; the tip stays.
        var noseTip = points[Face68.NoseTip];
        ScaleAbout(result, Face68.NoseBase, noseTip, 1 + NoseWidth * limits.NoseWidth, 1);
        var nostrilDrop = NostrilHeight * limits.NostrilHeight * unit;
        for (var i = 31; i < 36; i++) result[i].Y += nostrilDrop * (1 - 0.5f * MathF.Abs(i - 33) / 2);

        // Lips: the outer lip line moves away from (or towards) the inner one, the upper and lower lip by
        // different amounts; the inner line (the opening) and the corners stay.
        var upper = UpperLip * limits.LipThickness;
        var lower = LowerLip * limits.LipThickness;
        for (var i = 49; i < 60; i++)
        {
            if (i == Face68.MouthLeftCorner) continue;
            var inner = result[InnerPartner(i)];
            var amount = i < Face68.MouthLeftCorner ? upper : lower;
            result[i] = new Point2f(result[i].X + (result[i].X - inner.X) * amount * 0.3f, result[i].Y + (result[i].Y - inner.Y) * amount);
        }

        // Jaw: wider or narrower at the cheeks, the chin broader or narrower; the chin's point and the ears stay.
        var cheeks = CheekWidth * limits.CheekWidth;
        var chin = ChinWidth * limits.ChinWidth;
        for (var i = 1; i < 16; i++)
        {
            if (i == 8) continue;
            var along = MathF.Abs(i - 8) / 8f; // 0 at the chin, 1 at the ear
            var cheekWeight = MathF.Sin(MathF.PI * along);
            var chinWeight = MathF.Max(0, 1 - MathF.Abs(along - 0.25f) / 0.25f);
            result[i].X += (points[i].X - midline) * (cheeks * cheekWeight + chin * chinWeight);
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
