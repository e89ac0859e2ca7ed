using Deid.Effect.Detection;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Identities;

/// <summary>
/// One good face of a person, kept losslessly with its surroundings: a crop of the frame (PNG) and the face's box and
/// five landmarks in crop pixels. Methods that must look at a person before changing them (replace plans each
/// person's new face) start from these, so the plan depends on the analysis alone — the same in `deid render` and
/// in the editor, whatever order frames are rendered in.
/// </summary>
public sealed record FaceSample(byte[] Png, Rect2f Box, Point2f[] Landmarks, float Score)
{
    /// <summary>The crop around the face: twice its larger side, so a warp or blur has context.</summary>
    private const float CropFactor = 2f;

    /// <summary>Faces larger than this (box height) are scaled down in the sample: planning needs no more.</summary>
    private const float MaxFaceHeight = 192f;

    public static FaceSample Capture(Mat bgrFrame, FaceDetection detection)
    {
        var box = detection.Box;
        var side = Math.Max(box.Width, box.Height) * CropFactor;
        var cx = box.X + box.Width / 2;
        var cy = box.Y + box.Height / 2;
        var region = new Rect((int)MathF.Floor(cx - side / 2), (int)MathF.Floor(cy - side / 2), (int)MathF.Ceiling(side), (int)MathF.Ceiling(side))
            .Intersect(new Rect(0, 0, bgrFrame.Width, bgrFrame.Height));
        var scale = Math.Min(1f, MaxFaceHeight / Math.Max(1f, box.Height));
        using var crop = new Mat(bgrFrame, region);
        using var scaled = new Mat();
        if (scale < 1f) Cv2.Resize(crop, scaled, new Size(Math.Max(1, (int)(region.Width * scale)), Math.Max(1, (int)(region.Height * scale))), 0, 0, InterpolationFlags.Area);
        else crop.CopyTo(scaled);
        Point2f Map(Point2f p) => new((p.X - region.X) * scale, (p.Y - region.Y) * scale);
        return new FaceSample(
            scaled.ImEncode(".png"),
            new Rect2f((box.X - region.X) * scale, (box.Y - region.Y) * scale, box.Width * scale, box.Height * scale),
            detection.Landmarks.Select(Map).ToArray(),
            detection.Score);
    }

    /// <summary>The crop as a BGR image and the face as a region of it (owned by the caller).</summary>
    public (Mat Image, FaceRegion Region) Decode(int trackId)
    {
        var image = Cv2.ImDecode(Png, ImreadModes.Color);
        if (image.Empty())
        {
            image.Dispose();
            throw new FormatException("a face sample's image cannot be decoded");
        }
        return (image, new FaceRegion(trackId, Box, Landmarks, Score, Observed: true));
    }
}
