using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// Where a face's canonical square stands in the frame, and the two moves between them: cut out aligned, and put
/// back blended by a mask.
/// </summary>
internal static class FacePlacement
{
    /// <summary>Every pixel a replacement of this face may change: the canonical square's bounds in the frame.</summary>
    internal static Rect SafeArea(Mat frame, FaceRegion region)
    {
        if (region.Landmarks.Length != 5) return new Rect(0, 0, 0, 0);
        var fromCanonical = CanonicalFace.Invert(CanonicalFace.TransformFor(region.Landmarks, CanonicalFace.Size));
        return SquareBounds(frame, fromCanonical, CanonicalFace.Size);
    }

    /// <summary>The frame's pixels (clipped to it) a canonical square of <paramref name="size"/> covers through <paramref name="fromCanonical"/>.</summary>
    internal static Rect SquareBounds(Mat frame, double[,] fromCanonical, int size)
    {
        var corners = CanonicalFace.Map(fromCanonical, [new(0, 0), new(size, 0), new(0, size), new(size, size)]);
        var x1 = Math.Clamp((int)MathF.Floor(corners.Min(p => p.X)), 0, frame.Width);
        var y1 = Math.Clamp((int)MathF.Floor(corners.Min(p => p.Y)), 0, frame.Height);
        var x2 = Math.Clamp((int)MathF.Ceiling(corners.Max(p => p.X)) + 1, 0, frame.Width);
        var y2 = Math.Clamp((int)MathF.Ceiling(corners.Max(p => p.Y)) + 1, 0, frame.Height);
        return new Rect(x1, y1, Math.Max(0, x2 - x1), Math.Max(0, y2 - y1));
    }

    /// <summary>The face box in the canonical frame.</summary>
    internal static Rect2f CanonicalBox(Rect2f box, double[,] toCanonical)
    {
        var corners = CanonicalFace.Map(toCanonical, [new(box.Left, box.Top), new(box.Right, box.Top), new(box.Left, box.Bottom), new(box.Right, box.Bottom)]);
        var x1 = corners.Min(p => p.X);
        var y1 = corners.Min(p => p.Y);
        return new Rect2f(x1, y1, corners.Max(p => p.X) - x1, corners.Max(p => p.Y) - y1);
    }

    /// <summary>The frame's square of <paramref name="size"/> pixels around the face, aligned as <paramref name="toCanonical"/> says.</summary>
    internal static void WarpToCanonical(Mat frame, double[,] toCanonical, int size, Mat output)
    {
        using var matrix = Geometry.SimilarityTransform.ToMat(toCanonical);
        Cv2.WarpAffine(frame, output, matrix, new Size(size, size), InterpolationFlags.Linear, BorderTypes.Replicate);
    }

    /// <summary>Puts a canonical face back through the inverse alignment, blended by its mask (CV_32FC1, 0..1).</summary>
    internal static unsafe void Paste(Mat frame, double[,] toCanonical, Mat face, Mat mask)
    {
        var fromCanonical = CanonicalFace.Invert(toCanonical);
        var roi = SquareBounds(frame, fromCanonical, face.Width);
        if (roi.Width <= 0 || roi.Height <= 0) return;
        fromCanonical[0, 2] -= roi.X;
        fromCanonical[1, 2] -= roi.Y;
        using var matrix = Geometry.SimilarityTransform.ToMat(fromCanonical);
        using var patch = new Mat();
        using var weights = new Mat();
        Cv2.WarpAffine(face, patch, matrix, roi.Size, InterpolationFlags.Linear, BorderTypes.Replicate);
        Cv2.WarpAffine(mask, weights, matrix, roi.Size, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));

        for (var y = 0; y < roi.Height; y++)
        {
            var target = (byte*)frame.Ptr(roi.Y + y) + roi.X * 3;
            var source = (byte*)patch.Ptr(y);
            var weight = (float*)weights.Ptr(y);
            for (var x = 0; x < roi.Width; x++)
            {
                var m = Math.Clamp(weight[x], 0f, 1f);
                if (m <= 0) continue;
                for (var c = 0; c < 3; c++)
                {
                    var i = 3 * x + c;
                    target[i] = (byte)(target[i] + (source[i] - target[i]) * m + 0.5f);
                }
            }
        }
    }
}
