using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Landmarks;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Landmarks;

/// <summary>
/// The 68-point landmarker against the hand-checked 68 points of the labelled photos, found from YuNet's boxes as
/// the engine finds them. Error is the mean point distance over the outer-eye-corner distance (the usual NME).
/// </summary>
public sealed class LandmarkAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public void Points_land_within_a_tenth_of_the_eye_distance_on_the_labelled_faces()
    {
        var sessions = new InferenceSessionFactory(ExecutionDevice.Cpu);
        using var detector = new YuNetDetector(sessions, SharedAssets.Models());
        using var landmarker = new Landmark68Detector(sessions, SharedAssets.Models());
        var errors = new List<double>();
        foreach (var (path, faces) in LabelledFaces.Load())
        {
            using var image = Cv2.ImRead(path);
            var found = detector.Detect(image);
            foreach (var truth in faces)
            {
                var match = found.Select(d => (d, overlap: LabelledFaces.Overlap(d.Box, LabelledFaces.Bounds(truth)))).MaxBy(x => x.overlap);
                if (match.overlap < 0.3) continue;
                var points = landmarker.Locate(image, match.d.Box);
                var eyes = Face68.Distance(truth[36], truth[45]);
                errors.Add(truth.Zip(points, (a, b) => (double)Face68.Distance(a, b)).Average() / eyes);
            }
        }
        errors.Sort();
        var median = errors[errors.Count / 2];
        output.WriteLine($"{errors.Count} faces, NME median {median:F3}, worst {errors[^1]:F3}");
        Assert.True(errors.Count >= 15, $"only {errors.Count} labelled faces were matched to a detection");
        Assert.True(median < 0.10, $"median normalised error {median:F3}");
        Assert.True(errors[^1] < 0.25, $"worst normalised error {errors[^1]:F3}");
    }

    [Fact]
    public void Openings_read_from_the_points_follow_the_face()
    {
        // An open mouth measures wider than a closed one and the eyes of a frontal face are open.
        Point2f[] closed = Synthetic(mouthGap: 0), open = Synthetic(mouthGap: 12);
        Assert.True(Face68.MouthOpening(open) > Face68.MouthOpening(closed) + 0.2f);
        Assert.InRange(Face68.EyeOpening(closed), 0.2f, 0.5f);
        Assert.Equal(5, Face68.FivePoints(closed).Length);
    }

    private static Point2f[] Synthetic(float mouthGap)
    {
        var p = new Point2f[Face68.Count];
        for (var i = 0; i < p.Length; i++) p[i] = new Point2f(50, 50);
        void Eye(int first, float cx)
        {
            p[first] = new(cx - 10, 40); p[first + 3] = new(cx + 10, 40);
            p[first + 1] = new(cx - 4, 37); p[first + 2] = new(cx + 4, 37);
            p[first + 4] = new(cx + 4, 43); p[first + 5] = new(cx - 4, 43);
        }
        Eye(36, 30); Eye(42, 70);
        p[48] = new(30, 80); p[54] = new(70, 80);
        p[61] = new(42, 80 - mouthGap / 2); p[62] = new(50, 80 - mouthGap / 2); p[63] = new(58, 80 - mouthGap / 2);
        p[65] = new(58, 80 + mouthGap / 2); p[66] = new(50, 80 + mouthGap / 2); p[67] = new(42, 80 + mouthGap / 2);
        return p;
    }
}
