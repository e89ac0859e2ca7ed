using Deid.Effect.Analysis;
using Deid.Effect.Detection;
using Deid.Effect.Pipeline;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Tests.Tracking;

public sealed class TrackingTests
{
    private static readonly TrackingOptions Options = new();

    private static FaceDetection Face(float x, float y, float size, float score = 0.95f) =>
        new(new Rect2f(x, y, size, size),
            [new(x + 0.3f * size, y + 0.4f * size), new(x + 0.7f * size, y + 0.4f * size), new(x + 0.5f * size, y + 0.6f * size),
             new(x + 0.35f * size, y + 0.8f * size), new(x + 0.65f * size, y + 0.8f * size)],
            score);

    /// <summary>
    /// A moving face's regions are smoothed, but each observed frame keeps the detector's own points (where a
    /// recognizer would align the face); frames the detector missed have none. Shifting a region moves both.
    /// </summary>
    [Fact]
    public void Observed_regions_keep_the_detector_s_own_points_beside_the_smoothed_ones()
    {
        var linker = new TrackLinker(Options);
        var frames = new List<IReadOnlyList<FaceDetection>>();
        for (var f = 0; f < 12; f++)
        {
            IReadOnlyList<FaceDetection> found = f == 6 ? [] : [Face(100 + 6 * f + (f % 2) * 4, 50, 40)];
            linker.Push(found);
            frames.Add(found);
        }
        var builder = new TrackRegionBuilder(Options);
        foreach (var track in linker.Tracks) builder.Build(track, frames.Count);
        var analysis = new ClipAnalysis(640, 360, frames, linker.Tracks, [], "moving");
        for (var f = 0; f < 12; f++)
        {
            var region = Assert.Single(analysis.RegionsAt(f));
            if (f == 6)
            {
                Assert.False(region.Observed);
                Assert.Null(region.DetectedLandmarks);
                continue;
            }
            Assert.Equal(frames[f][0].Landmarks, region.DetectedLandmarks);
            if (f is > 0 and < 11) Assert.NotEqual(region.DetectedLandmarks![0], region.Landmarks[0]);
        }
        var shifted = analysis.RegionsAt(3)[0].Shifted(10, 20);
        Assert.Equal(frames[3][0].Landmarks[2].X - 10, shifted.DetectedLandmarks![2].X, 3);
        Assert.Equal(analysis.RegionsAt(3)[0].Landmarks[2].Y - 20, shifted.Landmarks[2].Y, 3);
        Assert.Equal(analysis.RegionsAt(3)[0].Box.X - 10, shifted.Box.X, 3);
    }

    private static bool Contains(Rect2f outer, Rect2f inner, float tolerance = 0.01f) =>
        outer.Left <= inner.Left + tolerance && outer.Top <= inner.Top + tolerance &&
        outer.Right >= inner.Right - tolerance && outer.Bottom >= inner.Bottom - tolerance;

    /// <summary>After a cut a face where another was is someone else: the overlapping box starts a track of its own.</summary>
    [Fact]
    public void A_cut_ends_every_track()
    {
        var linker = new TrackLinker(Options);
        var before = linker.Push([Face(100, 50, 40)]);
        Assert.Equal(before, linker.Push([Face(102, 50, 40)]));
        linker.Cut();
        var after = linker.Push([Face(104, 50, 40)]);
        Assert.NotEqual(before[0], after[0]);
        Assert.Equal(after, linker.Push([Face(106, 50, 40)]));
        Assert.Equal(2, linker.Tracks.Count);
    }

    /// <summary>
    /// A track is held a few frames past its ends for faces entering or leaving, but not into another shot, where its
    /// mask would fall on whatever is there; the cut frames survive the analysis file, and so do the shortened holds.
    /// </summary>
    [Fact]
    public void Holds_stop_at_a_cut_and_the_cut_is_kept_in_the_analysis_file()
    {
        var linker = new TrackLinker(Options);
        var frames = new List<IReadOnlyList<FaceDetection>>();
        for (var f = 0; f < 40; f++)
        {
            if (f == 20) linker.Cut();
            IReadOnlyList<FaceDetection> found = f is >= 10 and < 20 ? [Face(100, 50, 40)] : f is >= 20 and < 30 ? [Face(300, 50, 40)] : [];
            linker.Push(found);
            frames.Add(found);
        }
        var builder = new TrackRegionBuilder(Options);
        foreach (var track in linker.Tracks) builder.Build(track, frames.Count, [20]);
        var analysis = new ClipAnalysis(640, 360, frames, linker.Tracks, [], "cut", [20]);
        Assert.Equal(2, analysis.Tracks.Count);
        void Check(ClipAnalysis clip)
        {
            var (before, after) = (clip.Tracks[0], clip.Tracks[1]);
            Assert.Equal(10 - Options.HoldFrames, before.StartFrame);
            Assert.Equal(19, before.StartFrame + before.Regions.Count - 1);
            Assert.Equal(20, after.StartFrame);
            Assert.Equal(29 + Options.HoldFrames, after.StartFrame + after.Regions.Count - 1);
            Assert.Single(clip.RegionsAt(19));
            Assert.Single(clip.RegionsAt(20));
        }
        Check(analysis);

        var path = Path.Combine(Path.GetTempPath(), $"deid-cut-{Guid.NewGuid():N}.deid");
        try
        {
            AnalysisFile.Save(AnalysisFile.ToDocument(analysis, new ClipFingerprint(), (25, 1), new Dictionary<string, string>(), 0.5f, "cut"), path);
            var loaded = AnalysisFile.ToAnalysis(AnalysisFile.Read(path));
            Assert.Equal([20], loaded.CutFrames);
            Check(loaded);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_face_missed_for_a_few_frames_keeps_a_region_in_every_frame()
    {
        var frames = new List<IReadOnlyList<FaceDetection>>();
        for (var f = 0; f < 30; f++)
        {
            var missed = f is >= 10 and < 18;
            frames.Add(missed ? [] : [Face(100 + 4 * f, 50, 40)]);
        }
        var analysis = ClipAnalyzer.Build(frames, 640, 360, Options);

        var track = Assert.Single(analysis.Tracks);
        for (var f = 0; f < 30; f++)
        {
            var region = Assert.Single(analysis.RegionsAt(f));
            Assert.Equal(track.Id, region.TrackId);
            // Interpolated regions follow the motion: the face at frame f is inside the region.
            Assert.True(Contains(region.Box, Face(100 + 4 * f, 50, 40).Box, 1f), $"frame {f}: {region.Box}");
        }
        Assert.False(analysis.RegionsAt(12).Single().Observed);
        Assert.True(analysis.RegionsAt(5).Single().Observed);
    }

    [Fact]
    public void Track_ends_are_held_so_a_face_entering_or_leaving_stays_covered()
    {
        var frames = Enumerable.Range(0, 40).Select(f => (IReadOnlyList<FaceDetection>)(f is >= 10 and <= 20 ? [Face(200, 100, 50)] : [])).ToList();
        var analysis = ClipAnalyzer.Build(frames, 640, 360, Options);

        Assert.Empty(analysis.RegionsAt(10 - Options.HoldFrames - 1));
        Assert.Single(analysis.RegionsAt(10 - Options.HoldFrames));
        Assert.Single(analysis.RegionsAt(20 + Options.HoldFrames));
        Assert.Empty(analysis.RegionsAt(20 + Options.HoldFrames + 1));
    }

    [Fact]
    public void Holds_never_reach_outside_the_clip()
    {
        var frames = Enumerable.Range(0, 5).Select(_ => (IReadOnlyList<FaceDetection>)[Face(10, 10, 30)]).ToList();
        var analysis = ClipAnalyzer.Build(frames, 64, 64, Options);
        var track = Assert.Single(analysis.Tracks);
        Assert.Equal(0, track.StartFrame);
        Assert.Equal(4, track.EndFrame);
    }

    [Fact]
    public void Smoothed_boxes_still_cover_the_detected_box_of_every_frame()
    {
        var random = new Random(7);
        var frames = new List<IReadOnlyList<FaceDetection>>();
        var raw = new List<FaceDetection>();
        for (var f = 0; f < 60; f++)
        {
            // Jittery detections of a face moving and accelerating.
            var face = Face(100 + 0.2f * f * f + random.NextSingle() * 6, 80 + random.NextSingle() * 6, 48 + random.NextSingle() * 8);
            raw.Add(face);
            frames.Add([face]);
        }
        var analysis = ClipAnalyzer.Build(frames, 1920, 1080, Options);

        for (var f = 0; f < 60; f++)
        {
            var region = Assert.Single(analysis.RegionsAt(f));
            Assert.True(Contains(region.Box, raw[f].Box), $"frame {f}: region {region.Box} does not cover detection {raw[f].Box}");
        }
    }

    [Fact]
    public void Smoothing_reduces_jitter_of_a_still_face()
    {
        var random = new Random(3);
        var frames = Enumerable.Range(0, 50)
            .Select(_ => (IReadOnlyList<FaceDetection>)[Face(300 + random.NextSingle() * 8, 200 + random.NextSingle() * 8, 60)])
            .ToList();
        var analysis = ClipAnalyzer.Build(frames, 1280, 720, Options);

        static double Jitter(IEnumerable<Rect2f> boxes)
        {
            var centres = boxes.Select(b => b.X + b.Width / 2).ToList();
            return centres.Zip(centres.Skip(1), (a, b) => Math.Abs(a - b)).Average();
        }
        var rawJitter = Jitter(frames.Select(f => f[0].Box));
        var smoothJitter = Jitter(Enumerable.Range(0, 50).Select(f => analysis.RegionsAt(f).Single().Box));
        Assert.True(smoothJitter < rawJitter / 2, $"jitter raw {rawJitter:0.00} px/frame, smoothed {smoothJitter:0.00}");
    }

    [Fact]
    public void Two_faces_moving_past_each_other_stay_two_tracks()
    {
        var frames = Enumerable.Range(0, 30)
            .Select(f => (IReadOnlyList<FaceDetection>)[Face(100 + 3 * f, 100, 40), Face(400 - 3 * f, 300, 40)])
            .ToList();
        var analysis = ClipAnalyzer.Build(frames, 640, 480, Options);
        Assert.Equal(2, analysis.Tracks.Count);
        Assert.All(analysis.Tracks, t => Assert.Equal(30, t.Observations.Count));
    }

    [Fact]
    public void A_face_gone_longer_than_the_gap_limit_starts_a_new_track()
    {
        var frames = Enumerable.Range(0, 60)
            .Select(f => (IReadOnlyList<FaceDetection>)(f < 10 || f >= 10 + Options.MaxGapFrames + 5 ? [Face(100, 100, 40)] : []))
            .ToList();
        var analysis = ClipAnalyzer.Build(frames, 640, 480, Options);
        Assert.Equal(2, analysis.Tracks.Count);
    }
}
