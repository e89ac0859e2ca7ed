using Deid.Effect.Tracking;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The faces the quality measures are taken on: seen by the detector in that frame (not interpolated), with a
/// score of at least 0.9 (below it, the detections include dark background patches on which the recognizer's
/// distances mean nothing) and five landmarks that make a face (mouth below the eyes, eyes a few pixels apart), so
/// the aligned chips and the 68-point fit are of a face. Every face is anonymized all the same.
/// </summary>
public static class ConfidentFace
{
    public const float MinimumScore = 0.9f;

    /// <summary>Eyes closer than this (pixels) give a chip and landmarks of mush.</summary>
    public const float MinimumEyeDistance = 6f;

    public static bool Is(FaceRegion face)
    {
        if (!face.Observed || face.Score < MinimumScore || face.Landmarks.Length < 5) return false;
        var right = face.Landmarks[0];
        var left = face.Landmarks[1];
        var eyeDistance = MathF.Sqrt((left.X - right.X) * (left.X - right.X) + (left.Y - right.Y) * (left.Y - right.Y));
        if (eyeDistance < MinimumEyeDistance) return false;
        // The mouth must lie below the eye line, on the face's side of it.
        var angle = MathF.Atan2(left.Y - right.Y, left.X - right.X);
        var mouthX = (face.Landmarks[3].X + face.Landmarks[4].X) / 2 - (right.X + left.X) / 2;
        var mouthY = (face.Landmarks[3].Y + face.Landmarks[4].Y) / 2 - (right.Y + left.Y) / 2;
        return -mouthX * MathF.Sin(angle) + mouthY * MathF.Cos(angle) > 0;
    }
}
