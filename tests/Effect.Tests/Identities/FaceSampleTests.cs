using Deid.Effect.Analysis;
using Deid.Effect.Detection;
using Deid.Effect.Identities;
using Deid.Effect.Inference;
using Deid.Effect.Pipeline;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Tests.Identities;

/// <summary>The lossless face samples an analysis keeps per person: captured where the face is, and kept by the file.</summary>
public sealed class FaceSampleTests
{
    [Fact]
    public void A_sample_holds_the_face_with_its_landmarks_in_crop_pixels()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        using var detector = new YuNetDetector(new InferenceSessionFactory(ExecutionDevice.Cpu), SharedAssets.Models());
        var face = detector.Detect(photo).MaxBy(d => d.Score)!;
        var sample = FaceSample.Capture(photo, face);
        var (image, region) = sample.Decode(trackId: 7);
        using (image)
        {
            Assert.Equal(7, region.TrackId);
            Assert.True(sample.Box.Height <= 192.5f, $"face {sample.Box.Height} px high in the sample");
            Assert.All(sample.Landmarks, p => Assert.True(p.X >= 0 && p.Y >= 0 && p.X < image.Width && p.Y < image.Height));
            // The same face is found at the same place in the sample.
            var again = detector.Detect(image).MaxBy(d => d.Score)!;
            var dx = again.Landmarks[0].X - sample.Landmarks[0].X;
            var dy = again.Landmarks[0].Y - sample.Landmarks[0].Y;
            Assert.True(MathF.Sqrt(dx * dx + dy * dy) < 0.1f * sample.Box.Width, $"eye moved by ({dx}, {dy})");
        }
    }

    [Fact]
    public void Samples_survive_the_analysis_file_and_a_file_without_samples_loads_without_them()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        using var detector = new YuNetDetector(new InferenceSessionFactory(ExecutionDevice.Cpu), SharedAssets.Models());
        var face = detector.Detect(photo).MaxBy(d => d.Score)!;
        var detections = new List<IReadOnlyList<FaceDetection>> { new[] { face }, new[] { face } };
        var tracked = ClipAnalyzer.Build(detections, photo.Width, photo.Height, new TrackingOptions());
        var identity = new Identity(1, [tracked.Tracks[0].Id], 0, 1, new float[128], [new float[128]]) { Samples = [FaceSample.Capture(photo, face)] };
        var analysis = new ClipAnalysis(photo.Width, photo.Height, detections, tracked.Tracks, [identity], "abc");
        var path = Path.Combine(Path.GetTempPath(), $"deid-sample-{Guid.NewGuid():N}.deid");
        try
        {
            var document = AnalysisFile.ToDocument(analysis, new ClipFingerprint(), (25, 1), new Dictionary<string, string>(), 0.5f, "photo");
            AnalysisFile.Save(document, path);
            var loaded = AnalysisFile.ToAnalysis(AnalysisFile.Read(path));
            var kept = Assert.Single(loaded.Identities[0].Samples);
            Assert.Equal(identity.Samples[0].Png, kept.Png);
            Assert.Equal(identity.Samples[0].Box, kept.Box);
            Assert.Equal(identity.Samples[0].Landmarks, kept.Landmarks);

            document.Identities[0].Samples = [];
            AnalysisFile.Save(document, path);
            Assert.Empty(AnalysisFile.ToAnalysis(AnalysisFile.Read(path)).Identities[0].Samples);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
