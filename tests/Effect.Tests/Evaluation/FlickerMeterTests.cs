using Deid.Effect.Anonymization;
using Deid.Effect.Evaluation;
using OpenCvSharp;

namespace Deid.Effect.Tests.Evaluation;

public sealed class FlickerMeterTests
{
    private static readonly FaceEllipse Face = new(new Point2f(100, 80), 30, 40, 0.2f);
    private static readonly FaceEllipse Moved = Face with { Center = new Point2f(106, 82) };

    [Fact]
    public void A_static_clip_does_not_flicker()
    {
        using var frame = Noise(seed: 1);
        using var same = frame.Clone();
        using var meter = new FlickerMeter();
        Assert.Equal(0, meter.Measure(frame, same, Face, Moved));
    }

    [Fact]
    public void Independent_noise_flickers_strongly()
    {
        using var a = Noise(seed: 1);
        using var b = Noise(seed: 2);
        using var meter = new FlickerMeter();
        // Two independent uniform 0..255 values differ by 85 on average.
        Assert.InRange(meter.Measure(a, b, Face, Moved)!.Value, 75, 95);
    }

    [Fact]
    public void Only_the_face_counts_and_a_face_outside_the_frame_measures_nothing()
    {
        using var a = new Mat(200, 200, MatType.CV_8UC3, Scalar.All(0));
        using var b = a.Clone();
        // A change far from the face is not flicker of the face.
        b[new Rect(170, 170, 30, 30)].SetTo(Scalar.All(255));
        using var meter = new FlickerMeter();
        Assert.Equal(0, meter.Measure(a, b, Face, Moved));
        // A change covering the face is: 255 inside the whole union.
        b[new Rect(0, 0, 200, 170)].SetTo(Scalar.All(255));
        Assert.Equal(255, meter.Measure(a, b, Face, Moved)!.Value, 3);
        var outside = new FaceEllipse(new Point2f(-500, -500), 10, 10, 0);
        Assert.Null(meter.Measure(a, b, outside, outside));
    }

    private static Mat Noise(int seed)
    {
        var pixels = new byte[200 * 200 * 3];
        new Random(seed).NextBytes(pixels);
        var frame = new Mat(200, 200, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, frame.Data, pixels.Length);
        return frame;
    }
}
