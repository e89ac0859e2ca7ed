using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>
/// The area a face occupies, as a rotated ellipse: centred a little above the box centre (the detector's box stops
/// at the brows), rolled with the eye line, wide enough for the ears and tall enough for the forehead.
/// </summary>
public readonly record struct FaceEllipse(Point2f Center, float SemiAxisX, float SemiAxisY, float AngleRadians)
{
    private const float WidthFactor = 1.25f;
    private const float HeightFactor = 1.45f;
    private const float ForeheadShift = 0.12f;

    public static FaceEllipse From(FaceRegion region, float scale)
    {
        var box = region.Box;
        var angle = RollAngle(region);
        var centre = new Point2f(box.X + box.Width / 2, box.Y + box.Height / 2);
        // Up along the face, so the shift follows a tilted head.
        var up = new Point2f(MathF.Sin(angle), -MathF.Cos(angle));
        // A face lying on its side (a rotated frame) has its height along the box's width.
        var sideways = MathF.Abs(MathF.Sin(angle)) > MathF.Sqrt(0.5f);
        var faceWidth = sideways ? box.Height : box.Width;
        var faceHeight = sideways ? box.Width : box.Height;
        centre = new Point2f(centre.X + up.X * ForeheadShift * faceHeight, centre.Y + up.Y * ForeheadShift * faceHeight);
        return new FaceEllipse(centre, 0.5f * faceWidth * WidthFactor * scale, 0.5f * faceHeight * HeightFactor * scale, angle);
    }

    /// <summary>Head roll from the eyes; 0 when the mouth is not below the eyes (the landmarks are then not trusted).</summary>
    private static float RollAngle(FaceRegion region)
    {
        if (region.Landmarks.Length < 5) return 0;
        var right = region.Landmarks[0];
        var left = region.Landmarks[1];
        var angle = MathF.Atan2(left.Y - right.Y, left.X - right.X);
        var eyesX = (right.X + left.X) / 2;
        var eyesY = (right.Y + left.Y) / 2;
        var mouthX = (region.Landmarks[3].X + region.Landmarks[4].X) / 2;
        var mouthY = (region.Landmarks[3].Y + region.Landmarks[4].Y) / 2;
        var below = -(mouthX - eyesX) * MathF.Sin(angle) + (mouthY - eyesY) * MathF.Cos(angle);
        return below > 0 ? angle : 0;
    }

    /// <summary>Axis-aligned pixel rectangle holding the ellipse grown by <paramref name="growth"/> (1.25 = 25% larger), clipped to the frame.</summary>
    public Rect Bounds(float growth, int frameWidth, int frameHeight)
    {
        var cos = MathF.Abs(MathF.Cos(AngleRadians));
        var sin = MathF.Abs(MathF.Sin(AngleRadians));
        var a = SemiAxisX * growth;
        var b = SemiAxisY * growth;
        var halfWidth = MathF.Sqrt(a * a * cos * cos + b * b * sin * sin);
        var halfHeight = MathF.Sqrt(a * a * sin * sin + b * b * cos * cos);
        var x1 = Math.Clamp((int)MathF.Floor(Center.X - halfWidth), 0, frameWidth);
        var y1 = Math.Clamp((int)MathF.Floor(Center.Y - halfHeight), 0, frameHeight);
        var x2 = Math.Clamp((int)MathF.Ceiling(Center.X + halfWidth) + 1, 0, frameWidth);
        var y2 = Math.Clamp((int)MathF.Ceiling(Center.Y + halfHeight) + 1, 0, frameHeight);
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }

    public float Size => 2 * MathF.Max(SemiAxisX, SemiAxisY);
}
