using OpenCvSharp;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>
/// Head pose (yaw, pitch, roll in degrees) from 68 landmarks: a generic 3-D face (nose tip, chin, outer eye
/// corners, mouth corners) fitted with solvePnP, the focal length taken as the image width.
/// </summary>
public static class HeadPose
{
    private static readonly Point3f[] Model =
    [
        new(0f, 0f, 0f), new(0f, -330f, -65f), new(-225f, 170f, -135f), new(225f, 170f, -135f), new(-150f, -150f, -125f), new(150f, -150f, -125f),
    ];

    private static readonly int[] Indices = [30, 8, 36, 45, 48, 54];

    public static (double Yaw, double Pitch, double Roll) Estimate(Point2f[] landmarks, Size image)
    {
        var imagePoints = Indices.Select(i => landmarks[i]).ToArray();
        double focal = image.Width;
        var camera = new double[,] { { focal, 0, image.Width / 2.0 }, { 0, focal, image.Height / 2.0 }, { 0, 0, 1 } };
        using var objectMat = Mat.FromArray(Model);
        using var imageMat = Mat.FromArray(imagePoints);
        using var cameraMat = Mat.FromArray(camera);
        using var distortion = new Mat(4, 1, MatType.CV_64FC1, Scalar.All(0));
        // Start from a frontal head at the distance its eye corners imply: the iterative fit then stays with the
        // frontal solution instead of flipping to its mirror image.
        var eyeCorners = Math.Max(1.0, Math.Abs(landmarks[45].X - landmarks[36].X));
        var depth = focal * 450 / eyeCorners;
        var nose = landmarks[30];
        using var rvec = Mat.FromArray(new double[] { Math.PI, 0, 0 });
        using var tvec = Mat.FromArray(new double[] { (nose.X - image.Width / 2.0) * depth / focal, (nose.Y - image.Height / 2.0) * depth / focal, depth });
        Cv2.SolvePnP(objectMat, imageMat, cameraMat, distortion, rvec, tvec, true, SolvePnPMethod.Iterative);
        using var rotation = new Mat();
        Cv2.Rodrigues(rvec, rotation);
        using var mtxR = new Mat();
        using var mtxQ = new Mat();
        var angles = Cv2.RQDecomp3x3(rotation, mtxR, mtxQ);
        // The model's y axis points up and the image's down: pitch comes out near +-180 for a frontal face.
        var pitch = angles[0] > 0 ? 180 - angles[0] : -180 - angles[0];
        return (angles[1], pitch, angles[2]);
    }

    /// <summary>The largest difference of the three angles.</summary>
    public static double Difference((double Yaw, double Pitch, double Roll) a, (double Yaw, double Pitch, double Roll) b) =>
        new[] { Angle(a.Yaw - b.Yaw), Angle(a.Pitch - b.Pitch), Angle(a.Roll - b.Roll) }.Max();

    /// <summary>The size of an angle difference, wrapped into 0..180.</summary>
    private static double Angle(double difference)
    {
        var wrapped = Math.Abs(difference) % 360;
        return wrapped > 180 ? 360 - wrapped : wrapped;
    }
}
