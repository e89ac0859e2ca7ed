using Deid.Effect.Evaluation;
using Deid.Effect.Landmarks;
using OpenCvSharp;

namespace Deid.Effect.Tests.Evaluation;

/// <summary>
/// Head pose from landmarks: faces of known pose are projected through the same kind of camera the estimate
/// assumes, so the answer is known exactly; an in-plane turn of the whole picture about its centre is a pure roll.
/// </summary>
public sealed class HeadPoseTests
{
    private static readonly Size Image = new(640, 480);

    [Fact]
    public void The_same_landmarks_give_no_difference_and_a_frontal_face_gives_zero()
    {
        var frontal = Project(yawDegrees: 0, pitchDegrees: 0);
        var pose = HeadPose.Estimate(frontal, Image);
        Assert.Equal(0, pose.LargestDifference(HeadPose.Estimate(frontal, Image)));
        Assert.InRange(pose.Yaw, -0.5, 0.5);
        Assert.InRange(pose.Pitch, -0.5, 0.5);
        Assert.InRange(pose.Roll, -0.5, 0.5);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-10)]
    public void Turning_the_picture_in_plane_is_a_roll_of_the_same_angle(double degrees)
    {
        var frontal = Project(yawDegrees: 0, pitchDegrees: 0);
        var turned = Rotate(frontal, degrees, new Point2f(Image.Width / 2f, Image.Height / 2f));
        var before = HeadPose.Estimate(frontal, Image);
        var after = HeadPose.Estimate(turned, Image);
        Assert.InRange(after.Roll - before.Roll, degrees - 0.5, degrees + 0.5);
        Assert.InRange(Math.Abs(after.Yaw - before.Yaw), 0, 0.5);
        Assert.InRange(Math.Abs(after.Pitch - before.Pitch), 0, 0.5);
    }

    [Fact]
    public void Turning_the_hand_checked_points_of_a_real_face_in_plane_is_a_roll_of_the_same_angle()
    {
        var (path, faces) = Landmarks.LabelledFaces.Load().First(f => f.Faces.Count > 0);
        using var image = Cv2.ImRead(path);
        var centre = new Point2f(image.Width / 2f, image.Height / 2f);
        var before = HeadPose.Estimate(faces[0], image.Size());
        var after = HeadPose.Estimate(Rotate(faces[0], 10, centre), image.Size());
        Assert.InRange(after.Roll - before.Roll, 9, 11);
        Assert.True(Math.Abs(after.Yaw - before.Yaw) < 1 && Math.Abs(after.Pitch - before.Pitch) < 1, $"{before} -> {after}");
    }

    [Theory]
    [InlineData(20)]
    [InlineData(-20)]
    [InlineData(35)]
    public void A_face_turned_sideways_gives_the_yaw_it_was_turned_by(double yaw)
    {
        var points = Project(yawDegrees: yaw, pitchDegrees: 0);
        var pose = HeadPose.Estimate(points, Image);
        Assert.InRange(pose.Yaw, yaw - 1, yaw + 1);
        Assert.InRange(pose.Pitch, -1, 1);
        Assert.InRange(pose.Roll, -1, 1);
        // The documented sign: positive yaw puts the nose tip left of the eyes' midpoint on screen.
        var eyes = (points[36].X + points[45].X) / 2;
        Assert.Equal(Math.Sign(yaw), Math.Sign(eyes - points[Face68.NoseTip].X));
    }

    [Fact]
    public void A_face_looking_down_gives_a_positive_pitch()
    {
        var pose = HeadPose.Estimate(Project(yawDegrees: 0, pitchDegrees: 15), Image);
        Assert.InRange(pose.Pitch, 14, 16);
        Assert.InRange(pose.Yaw, -1, 1);
    }

    /// <summary>The model face 600 mm in front of a camera with the estimate's intrinsics, turned by yaw then pitch.</summary>
    private static Point2f[] Project(double yawDegrees, double pitchDegrees)
    {
        double yaw = yawDegrees * Math.PI / 180, pitch = pitchDegrees * Math.PI / 180;
        var focal = (double)Image.Width;
        var points = new Point2f[Face68.Count];
        var indices = HeadPose.ModelIndices;
        var model = HeadPose.ModelPoints;
        for (var i = 0; i < indices.Count; i++)
        {
            var p = model[i];
            // Rx(pitch) first, then Ry(yaw).
            double x = p.X, y = p.Y * Math.Cos(pitch) - p.Z * Math.Sin(pitch), z = p.Y * Math.Sin(pitch) + p.Z * Math.Cos(pitch);
            double xr = x * Math.Cos(yaw) + z * Math.Sin(yaw), zr = -x * Math.Sin(yaw) + z * Math.Cos(yaw);
            var depth = zr + 600;
            points[indices[i]] = new Point2f((float)(focal * xr / depth + Image.Width / 2.0), (float)(focal * y / depth + Image.Height / 2.0));
        }
        // Points the model does not use sit on the nose tip; they must not matter.
        for (var i = 0; i < points.Length; i++) if (!indices.Contains(i)) points[i] = points[Face68.NoseTip];
        return points;
    }

    private static Point2f[] Rotate(Point2f[] points, double degrees, Point2f centre)
    {
        var a = degrees * Math.PI / 180;
        double cos = Math.Cos(a), sin = Math.Sin(a);
        return points.Select(p =>
        {
            double dx = p.X - centre.X, dy = p.Y - centre.Y;
            return new Point2f((float)(centre.X + dx * cos - dy * sin), (float)(centre.Y + dx * sin + dy * cos));
        }).ToArray();
    }
}
