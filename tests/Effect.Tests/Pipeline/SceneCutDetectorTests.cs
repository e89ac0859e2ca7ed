using Deid.Effect.Pipeline;
using OpenCvSharp;

namespace Deid.Effect.Tests.Pipeline;

/// <summary>Cuts on frames built from the shared photos: a change of shot is one, a moving camera or a cross-fade is not.</summary>
public sealed class SceneCutDetectorTests
{
    private static Mat Photo(string name)
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", name), ImreadModes.Color);
        Assert.False(photo.Empty(), $"{name} could not be read");
        var frame = new Mat();
        Cv2.Resize(photo, frame, new Size(640, 360));
        return frame;
    }

    private static List<int> Cuts(IEnumerable<Mat> frames)
    {
        using var detector = new SceneCutDetector();
        return frames.Select((frame, index) => (Cut: detector.IsCut(frame), index)).Where(f => f.Cut).Select(f => f.index).ToList();
    }

    [Fact]
    public void A_change_of_shot_is_a_cut_and_the_first_frame_is_not()
    {
        using var first = Photo("obama.jpg");
        using var second = Photo("biden.jpg");
        var frames = Enumerable.Repeat(first, 6).Concat(Enumerable.Repeat(second, 6));
        Assert.Equal([6], Cuts(frames));
    }

    [Fact]
    public void A_moving_camera_with_grain_is_no_cut()
    {
        using var photo = Photo("obama.jpg");
        var frames = new List<Mat>();
        try
        {
            for (var f = 0; f < 40; f++)
            {
                // Pans 6 px a frame (a brisk camera move) with noise of sigma 6 grey levels on every pixel.
                using var shift = Mat.FromArray(new double[,] { { 1.05, 0, -6.0 * f / 2 }, { 0, 1.05, -3 } });
                var frame = new Mat();
                Cv2.WarpAffine(photo, frame, shift, photo.Size(), InterpolationFlags.Linear, BorderTypes.Reflect);
                using var noise = new Mat(frame.Size(), MatType.CV_16SC3);
                Cv2.Randn(noise, Scalar.All(0), Scalar.All(6));
                using var wide = new Mat();
                frame.ConvertTo(wide, MatType.CV_16SC3);
                Cv2.Add(wide, noise, wide);
                wide.ConvertTo(frame, MatType.CV_8UC3);
                frames.Add(frame);
            }
            Assert.Empty(Cuts(frames));
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
        }
    }

    [Fact]
    public void A_cross_fade_is_no_cut()
    {
        using var first = Photo("obama.jpg");
        using var second = Photo("biden.jpg");
        var frames = new List<Mat>();
        try
        {
            for (var f = 0; f <= 12; f++)
            {
                var frame = new Mat();
                Cv2.AddWeighted(first, 1 - f / 12.0, second, f / 12.0, 0, frame);
                frames.Add(frame);
            }
            Assert.Empty(Cuts(frames));
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
        }
    }
}
