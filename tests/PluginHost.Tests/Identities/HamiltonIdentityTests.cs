using Deid.Effect.Anonymization;
using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Selection;
using Deid.Effect.Tests;
using Deid.Effect.Tracking;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Video;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.PluginHost.Tests.Identities;

/// <summary>
/// On the real Hamilton clip: analysis finds people; keeping one leaves that person's pixels exactly as they were in
/// every frame (outside the masks of other faces) while every other face is hidden; a key that switches a person
/// from kept to hidden at time t takes effect at exactly the frame at t. Checked on the frames the engine renders,
/// before encoding, so "untouched" means bit for bit.
/// </summary>
public sealed class HamiltonIdentityTests(ITestOutputHelper output, HamiltonAnalysisFixture clip) : IClassFixture<HamiltonAnalysisFixture>
{
    [Fact]
    public void Analysis_groups_the_clip_into_numbered_identities()
    {
        var analysis = clip.Analysis;
        output.WriteLine($"{analysis.Tracks.Count} tracks, {analysis.Identities.Count} identities");
        foreach (var identity in analysis.Identities)
            output.WriteLine($"  identity {identity.Id}: tracks {string.Join(",", identity.TrackIds)} frames {identity.FirstFrame}-{identity.LastFrame}");
        Assert.True(analysis.Identities.Count >= 2, "expected several people in the clip");
        Assert.Equal(Enumerable.Range(1, analysis.Identities.Count), analysis.Identities.Select(i => i.Id));
        Assert.True(analysis.Identities.Zip(analysis.Identities.Skip(1)).All(p => p.First.FirstFrame <= p.Second.FirstFrame));
        // No identity holds two tracks that are on screen at once.
        foreach (var identity in analysis.Identities)
        {
            var tracks = identity.TrackIds.Select(id => analysis.Tracks[id]).ToList();
            foreach (var a in tracks)
                foreach (var b in tracks.Where(b => b.Id > a.Id))
                    Assert.False(a.FirstObserved <= b.LastObserved && b.FirstObserved <= a.LastObserved, $"identity {identity.Id}: tracks {a.Id} and {b.Id} overlap");
        }
    }

    /// <summary>
    /// The clip has three hard cuts (frames 20, 82 and 211, as ffmpeg's scene detection also finds them). At 82 an
    /// audience face's box overlaps the singer's in the next shot; no track may carry one person into the other, and
    /// no track's hold may lay its mask over the other shot.
    /// </summary>
    [Fact]
    public void The_cuts_are_found_and_no_track_runs_across_one()
    {
        var cuts = new List<int>();
        var scores = new List<(double Score, int Frame)>();
        using (var detector = new Effect.Pipeline.SceneCutDetector())
            clip.ForEachFrame((index, frame) =>
            {
                if (detector.IsCut(frame)) cuts.Add(index);
                scores.Add((detector.LastScore, index));
            });
        output.WriteLine("highest scores: " + string.Join(", ", scores.OrderByDescending(s => s.Score).Take(6).Select(s => $"{s.Frame}: {s.Score:0.0}")));
        Assert.Equal([20, 82, 211], cuts);
        Assert.Equal(cuts, clip.Analysis.CutFrames);
        foreach (var track in clip.Analysis.Tracks)
            foreach (var cut in cuts)
            {
                Assert.False(track.FirstObserved < cut && cut <= track.LastObserved,
                    $"track {track.Id} is seen in frames {track.FirstObserved}-{track.LastObserved}, across the cut at {cut}");
                var lastRegion = track.StartFrame + track.Regions.Count - 1;
                Assert.False(track.StartFrame < cut && cut <= lastRegion,
                    $"track {track.Id} covers frames {track.StartFrame}-{lastRegion}, across the cut at {cut}");
            }
    }

    [Fact]
    public void A_kept_identity_is_untouched_in_every_frame_while_everyone_else_is_hidden()
    {
        var analysis = clip.Analysis;
        var kept = analysis.Identities.MaxBy(i => i.TrackIds.Sum(t => analysis.Tracks[t].Regions.Count))!;
        var selection = AnonymizationSelection.Keep([kept.Id]);
        using var compositor = new AnonymizerSettings().CreateCompositor();
        int keptFaces = 0, hiddenFaces = 0;
        clip.ForEachFrame((index, original) =>
        {
            using var rendered = original.Clone();
            RenderJob.Anonymize(rendered, index, analysis, selection, compositor, clip.Source.FrameDuration);
            var regions = analysis.RegionsAt(index);
            var hidden = regions.Where(r => analysis.IdentityOf(r.TrackId) != kept.Id).ToList();
            foreach (var region in regions.Where(r => analysis.IdentityOf(r.TrackId) == kept.Id))
            {
                keptFaces++;
                var changed = ChangedPixels(original, rendered, region, hidden, compositor.Mask);
                Assert.True(changed == 0, $"frame {index}: {changed} pixels of kept identity {kept.Id} changed");
            }
            foreach (var region in hidden)
            {
                hiddenFaces++;
                Assert.True(MeanDifferenceInside(original, rendered, region, compositor.Mask) > 0.5, $"frame {index}: face of track {region.TrackId} was not hidden");
            }
        });
        output.WriteLine($"identity {kept.Id}: {keptFaces} face regions kept untouched; {hiddenFaces} other face regions hidden");
        Assert.True(keptFaces > 50);
        Assert.True(hiddenFaces > 50);
    }

    [Fact]
    public void A_key_switches_an_identity_from_kept_to_hidden_at_exactly_its_frame()
    {
        var analysis = clip.Analysis;
        // An identity on screen in two consecutive frames well inside the clip.
        var (identity, frame) = analysis.Identities
            .SelectMany(i => i.TrackIds.SelectMany(t => Enumerable.Range(analysis.Tracks[t].StartFrame + 10, Math.Max(0, analysis.Tracks[t].Regions.Count - 20)))
                .Select(f => (i.Id, f)))
            .First();
        var switchTime = frame * clip.Source.FrameDuration;
        var selection = new AnonymizationSelection(AnonymizationPolicy.AnonymizeEveryone,
            new Dictionary<int, IReadOnlyList<SelectionKey>> { [identity] = [new(0, false), new(switchTime, true)] });
        using var compositor = new AnonymizerSettings().CreateCompositor();

        var checkedFrames = 0;
        clip.ForEachFrame((index, original) =>
        {
            if (index != frame - 1 && index != frame) return;
            using var rendered = original.Clone();
            RenderJob.Anonymize(rendered, index, analysis, selection, compositor, clip.Source.FrameDuration);
            var regions = analysis.RegionsAt(index);
            var others = regions.Where(r => analysis.IdentityOf(r.TrackId) != identity).ToList();
            var face = regions.First(r => analysis.IdentityOf(r.TrackId) == identity);
            if (index == frame - 1) Assert.Equal(0, ChangedPixels(original, rendered, face, others, compositor.Mask));
            else Assert.True(MeanDifferenceInside(original, rendered, face, compositor.Mask) > 0.5, $"identity {identity} not hidden at frame {frame}");
            checkedFrames++;
        });
        output.WriteLine($"identity {identity} switched at {switchTime:0.000} s = frame {frame}");
        Assert.Equal(2, checkedFrames);
    }

    private static int ChangedPixels(Mat original, Mat rendered, FaceRegion face, IReadOnlyList<FaceRegion> hidden, MaskOptions mask)
    {
        var ellipse = FaceEllipse.From(face, mask.Scale);
        var roi = ellipse.Bounds(1f, original.Width, original.Height);
        var weights = new byte[roi.Width * roi.Height];
        SoftMask.Render(ellipse, roi, mask.Feather, weights);
        var excluded = hidden.Select(r => FaceEllipse.From(r, mask.Scale).Bounds(1f + mask.Feather, original.Width, original.Height)).ToList();
        var changed = 0;
        for (var y = 0; y < roi.Height; y++)
        {
            for (var x = 0; x < roi.Width; x++)
            {
                if (weights[y * roi.Width + x] != 255) continue;
                var point = new Point(roi.X + x, roi.Y + y);
                if (excluded.Any(r => r.Contains(point))) continue;
                if (original.At<Vec3b>(point.Y, point.X) != rendered.At<Vec3b>(point.Y, point.X)) changed++;
            }
        }
        return changed;
    }

    private static double MeanDifferenceInside(Mat original, Mat rendered, FaceRegion face, MaskOptions mask)
    {
        var roi = FaceEllipse.From(face, mask.Scale).Bounds(1f, original.Width, original.Height);
        using var a = new Mat(original, roi);
        using var b = new Mat(rendered, roi);
        using var difference = new Mat();
        Cv2.Absdiff(a, b, difference);
        var mean = Cv2.Mean(difference);
        return (mean.Val0 + mean.Val1 + mean.Val2) / 3;
    }
}

/// <summary>Analyses the Hamilton clip once for all identity tests.</summary>
public sealed class HamiltonAnalysisFixture : IDisposable
{
    private readonly FfmpegTools _tools = FfmpegTools.Locate();

    public HamiltonAnalysisFixture()
    {
        Environment.SetEnvironmentVariable("DEID_MODELS", SharedAssets.ModelsDirectory);
        Source = VideoProbe.Probe(_tools, SharedAssets.HamiltonClip);
        using var models = new EngineModels(ExecutionDevice.Cpu, new DetectorOptions(), Source, _ => { });
        (Analysis, _) = AnalysisPass.Run(_tools, Source, models.Detector, models.Embedder, quiet: true, CancellationToken.None);
    }

    public VideoInfo Source { get; }

    public ClipAnalysis Analysis { get; }

    public void ForEachFrame(Action<int, Mat> visit)
    {
        using var reader = new FrameReader(_tools, Source);
        using var frame = new Mat(Source.Height, Source.Width, MatType.CV_8UC3);
        var index = 0;
        while (reader.Read(frame)) visit(index++, frame);
    }

    public void Dispose() { }
}
