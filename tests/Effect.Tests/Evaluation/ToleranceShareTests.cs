using Deid.Effect.Evaluation;
using Deid.Effect.Landmarks;
using Deid.Effect.Tests.Landmarks;
using OpenCvSharp;

namespace Deid.Effect.Tests.Evaluation;

/// <summary>
/// The replacer's eyelid corrections move only <see cref="Face68.Eyelids"/> and judge a pass by
/// <see cref="FaceMeasures.SharesOfTolerance"/>: the lids must be what eye opening is read from and nothing the head
/// pose or the mouth is, and a share of 1 must be where "kept" turns into "changed".
/// </summary>
public sealed class ToleranceShareTests
{
    [Fact]
    public void Eyelids_carry_the_eye_opening_and_not_the_pose_or_the_mouth()
    {
        var (path, faces) = LabelledFaces.Load().First();
        var size = Cv2.ImRead(path).Size();
        var face = faces[0];
        var before = FaceMeasures.From(face, size);
        var opened = (Point2f[])face.Clone();
        // Upper lids (37, 38, 43, 44) up, lower lids (40, 41, 46, 47) down.
        foreach (var i in Face68.Eyelids) opened[i] = new Point2f(opened[i].X, opened[i].Y + (i % 6 is 1 or 2 ? -2 : 2));
        var after = FaceMeasures.From(opened, size);
        Assert.True(after.EyeOpening > before.EyeOpening, "opening the lids did not open the eyes");
        Assert.True(before.Pose.LargestDifference(after.Pose) < 1e-6, "moving the lids turned the head pose");
        Assert.Equal(before.MouthOpening, after.MouthOpening);
        var shares = before.SharesOfTolerance(after);
        Assert.True(shares.Eyes > 0);
        Assert.Equal(0, shares.Mouth);
        Assert.True(shares.Pose < 1e-6);
    }

    [Fact]
    public void A_share_of_one_is_where_kept_turns_into_changed()
    {
        var (path, faces) = LabelledFaces.Load().First();
        var size = Cv2.ImRead(path).Size();
        var original = FaceMeasures.From(faces[0], size);
        foreach (var factor in new[] { 0.5f, 0.8f, 0.9f, 1.1f, 1.2f, 1.5f })
        {
            var output = original with { EyeOpening = original.EyeOpening * factor, MouthOpening = original.MouthOpening * factor + 0.02f * (factor - 1) * 10 };
            var shares = original.SharesOfTolerance(output);
            Assert.Equal(original.EyesKeptIn(output), shares.Eyes <= 1);
            Assert.Equal(original.MouthKeptIn(output), shares.Mouth <= 1);
            Assert.Equal(original.PoseKeptIn(output), shares.Pose <= 1);
        }
    }
}
