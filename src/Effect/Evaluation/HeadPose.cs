using Deid.Effect.Landmarks;
using OpenCvSharp;

namespace Deid.Effect.Evaluation;

/// <summary>
/// Head orientation in degrees, from the 68 landmarks fitted (perspective-n-point, <c>Cv2.SolvePnP</c>) to a generic
/// rigid face. Axes are the camera's (x to the image's right, y down, z into the picture), so a face
/// looking straight at the camera is (0, 0, 0). Positive <see cref="Yaw"/> turns the nose towards the image's left,
/// positive <see cref="Pitch"/> tilts it down, positive <see cref="Roll"/> turns the face clockwise on screen.
/// </summary>
public readonly record struct HeadPose(double Yaw, double Pitch, double Roll)
{
    /// <summary>
    /// A generic adult face in millimetres, origin at the nose tip, in the camera's axes as the face looks into the
    /// camera. Only points the landmarker places reliably and that lie on rigid bone: eye corners, nose, chin, mouth
    /// corners (the jaw outline slides with yaw, the lips move with speech).
    /// </summary>
    private static readonly (int Index, Point3f Position)[] Model =
    [
        (36, new Point3f(-44, -34, 32)),  // subject's right eye, outer corner (image left)
        (39, new Point3f(-14, -33, 27)),  // right eye, inner corner
        (42, new Point3f(14, -33, 27)),   // left eye, inner corner
        (45, new Point3f(44, -34, 32)),   // left eye, outer corner
        (27, new Point3f(0, -36, 20)),    // top of the nose bridge
        (30, new Point3f(0, 0, 0)),       // nose tip
        (48, new Point3f(-25, 30, 24)),   // mouth corner, image left
        (54, new Point3f(25, 30, 24)),    // mouth corner, image right
        (8, new Point3f(0, 68, 22)),      // chin
    ];

    /// <summary>The model's face width between the outer eye corners, for the starting distance of the fit.</summary>
    private const float ModelEyeSpan = 88;

    public static IReadOnlyList<Point3f> ModelPoints => Model.Select(m => m.Position).ToArray();

    /// <summary>The 68-point indices of <see cref="ModelPoints"/>, in the same order.</summary>
    public static IReadOnlyList<int> ModelIndices => Model.Select(m => m.Index).ToArray();

    /// <summary>
    /// Fits the model to the landmarks of a face in an image of <paramref name="imageSize"/>. The camera is the usual
    /// stand-in for an unknown one: focal length the image width, principal point the image centre, no distortion.
    /// The fit starts from a frontal face at the distance the eye span implies, so it never lands on the mirrored
    /// solution that a fit from nothing sometimes finds.
    /// </summary>
    public static HeadPose Estimate(ReadOnlySpan<Point2f> landmarks68, Size imageSize)
    {
        if (landmarks68.Length != Face68.Count) throw new ArgumentException($"expected {Face68.Count} landmarks, got {landmarks68.Length}");
        double focal = imageSize.Width, cx = imageSize.Width / 2.0, cy = imageSize.Height / 2.0;
        using var camera = new Mat(3, 3, MatType.CV_64FC1, Scalar.All(0));
        camera.Set(0, 0, focal); camera.Set(1, 1, focal); camera.Set(0, 2, cx); camera.Set(1, 2, cy); camera.Set(2, 2, 1.0);
        var imagePoints = new Point2f[Model.Length];
        for (var i = 0; i < Model.Length; i++) imagePoints[i] = landmarks68[Model[i].Index];

        var eyeSpan = MathF.Max(1, Face68.Distance(landmarks68[36], landmarks68[45]));
        var distance = focal * ModelEyeSpan / eyeSpan;
        var nose = landmarks68[Face68.NoseTip];
        using var objectMat = Mat.FromArray(Model.Select(m => m.Position).ToArray());
        using var imageMat = Mat.FromArray(imagePoints);
        using var noDistortion = new Mat();
        using var rotationMat = Mat.FromArray(new double[] { 0, 0, 0 });
        using var translationMat = Mat.FromArray(new[] { (nose.X - cx) * distance / focal, (nose.Y - cy) * distance / focal, distance });
        Cv2.SolvePnP(objectMat, imageMat, camera, noDistortion, rotationMat, translationMat, useExtrinsicGuess: true, SolvePnPMethod.Iterative);
        var rotation = new[] { rotationMat.At<double>(0), rotationMat.At<double>(1), rotationMat.At<double>(2) };
        return FromRotationVector(rotation);
    }

    /// <summary>Euler angles of R = Rz(roll) · Ry(yaw) · Rx(pitch), R taking the model's axes to the camera's.</summary>
    public static HeadPose FromRotationVector(double[] rotationVector)
    {
        using var vector = Mat.FromArray(rotationVector);
        using var matrix = new Mat();
        Cv2.Rodrigues(vector, matrix);
        var r20 = matrix.At<double>(2, 0);
        var yaw = Math.Asin(Math.Clamp(-r20, -1, 1));
        var pitch = Math.Atan2(matrix.At<double>(2, 1), matrix.At<double>(2, 2));
        var roll = Math.Atan2(matrix.At<double>(1, 0), matrix.At<double>(0, 0));
        return new HeadPose(Degrees(yaw), Degrees(pitch), Degrees(roll));
    }

    /// <summary>The largest of the three angle differences, in degrees.</summary>
    public double LargestDifference(HeadPose other) =>
        Math.Max(Math.Abs(Yaw - other.Yaw), Math.Max(Math.Abs(Pitch - other.Pitch), Math.Abs(AngleBetween(Roll, other.Roll))));

    private static double AngleBetween(double a, double b) => Math.IEEERemainder(a - b, 360);

    private static double Degrees(double radians) => radians * 180 / Math.PI;
}
