using OpenCvSharp;

namespace Deid.Effect.Detection;

/// <summary>
/// Asks the detector whether there is still a face where a face was: on a crop around the face (2.5 times its
/// box, so the detector sees head and shoulders as in a frame), grown to at least 160 px so small faces of a clip
/// are above the detector's lower limit, and checks for a detection overlapping the box by IoU 0.3 or more. A crop
/// rather than the frame keeps the cost per face small and lets every face be judged alone.
/// </summary>
public sealed class DetectionProbe(IFaceDetector detector)
{
    public const float MinimumOverlap = 0.3f;
    public const float CropGrowth = 2.5f;
    public const int MinimumCropSide = 160;

    private readonly Mat _scaled = new();

    public bool FindsFaceAt(Mat bgrFrame, Rect2f box)
    {
        var side = MathF.Max(box.Width, box.Height) * CropGrowth;
        var cx = box.X + box.Width / 2;
        var cy = box.Y + box.Height / 2;
        var x1 = Math.Clamp((int)MathF.Floor(cx - side / 2), 0, bgrFrame.Width - 1);
        var y1 = Math.Clamp((int)MathF.Floor(cy - side / 2), 0, bgrFrame.Height - 1);
        var x2 = Math.Clamp((int)MathF.Ceiling(cx + side / 2), x1 + 1, bgrFrame.Width);
        var y2 = Math.Clamp((int)MathF.Ceiling(cy + side / 2), y1 + 1, bgrFrame.Height);
        using var crop = new Mat(bgrFrame, new Rect(x1, y1, x2 - x1, y2 - y1));
        var scale = Math.Max(1f, MinimumCropSide / (float)Math.Max(crop.Width, crop.Height));
        var searched = crop;
        if (scale > 1)
        {
            Cv2.Resize(crop, _scaled, new Size((int)MathF.Round(crop.Width * scale), (int)MathF.Round(crop.Height * scale)), 0, 0, InterpolationFlags.Linear);
            searched = _scaled;
        }
        var local = new Rect2f((box.X - x1) * scale, (box.Y - y1) * scale, box.Width * scale, box.Height * scale);
        return detector.Detect(searched).Any(d => NonMaxSuppression.IntersectionOverUnion(d.Box, local) >= MinimumOverlap);
    }
}
