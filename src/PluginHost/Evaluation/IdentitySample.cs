using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// One face of a person, as a method may study it before anonymizing: a BGR crop around the face (twice the box,
/// clipped to the frame) and the face's region in the crop's coordinates. Owned by the <see cref="EvaluationSubject"/>.
/// </summary>
public sealed record IdentitySample(Mat Image, FaceRegion Region)
{
    public const float CropGrowth = 2f;

    public static IdentitySample Crop(Mat frame, FaceRegion region)
    {
        var box = region.Box;
        var side = MathF.Max(box.Width, box.Height) * CropGrowth;
        var cx = box.X + box.Width / 2;
        var cy = box.Y + box.Height / 2;
        var x1 = Math.Clamp((int)MathF.Floor(cx - side / 2), 0, frame.Width - 1);
        var y1 = Math.Clamp((int)MathF.Floor(cy - side / 2), 0, frame.Height - 1);
        var x2 = Math.Clamp((int)MathF.Ceiling(cx + side / 2), x1 + 1, frame.Width);
        var y2 = Math.Clamp((int)MathF.Ceiling(cy + side / 2), y1 + 1, frame.Height);
        var rect = new Rect(x1, y1, x2 - x1, y2 - y1);
        using var view = new Mat(frame, rect);
        var shifted = region.Shifted(x1, y1);
        return new IdentitySample(view.Clone(), shifted);
    }
}
