using Deid.Effect.Detection;
using Deid.Effect.Recognition;
using OpenCvSharp;

namespace Deid.Effect.Identities;

/// <summary>
/// During the analysis pass, keeps for every track the aligned chips of its best few detections (confident, large,
/// frontal) so that only those are embedded at the end: a handful of recognizer runs per track, not one per frame.
/// </summary>
public sealed class TrackEmbeddingCollector(IdentityOptions options) : IDisposable
{
    private sealed record Candidate(float Quality, int Frame, Mat Chip, byte[] Thumbnail, FaceSample Sample);

    private readonly Dictionary<int, List<Candidate>> _byTrack = [];

    public void Offer(Mat bgrFrame, int frame, int trackId, FaceDetection detection)
    {
        if (detection.Score < options.MinScore || detection.Box.Height < options.MinFaceHeight) return;
        var quality = Quality(detection);
        if (!_byTrack.TryGetValue(trackId, out var kept)) _byTrack[trackId] = kept = [];
        if (kept.Count >= options.EmbeddingsPerTrack && kept[^1].Quality >= quality) return;

        var chip = new Mat();
        FaceAligner.Align(bgrFrame, detection.Landmarks, chip);
        kept.Add(new Candidate(quality, frame, chip, Thumbnail(bgrFrame, detection.Box), FaceSample.Capture(bgrFrame, detection)));
        kept.Sort((a, b) => b.Quality.CompareTo(a.Quality));
        if (kept.Count > options.EmbeddingsPerTrack)
        {
            kept[^1].Chip.Dispose();
            kept.RemoveAt(kept.Count - 1);
        }
    }

    /// <summary>Embeds the kept chips of every track, in batches; returns embeddings, thumbnails and samples per track (best first).</summary>
    public Dictionary<int, (float[][] Embeddings, byte[][] Thumbnails, FaceSample[] Samples, float BestQuality)> Embed(IFaceEmbedder embedder)
    {
        var result = new Dictionary<int, (float[][], byte[][], FaceSample[], float)>();
        foreach (var (trackId, kept) in _byTrack)
        {
            var embeddings = embedder.Embed(kept.Select(c => c.Chip).ToList());
            result[trackId] = (embeddings, kept.Select(c => c.Thumbnail).ToArray(), kept.Select(c => c.Sample).ToArray(), kept[0].Quality);
        }
        return result;
    }

    /// <summary>Higher for confident, large, frontal faces: frontal means the nose sits between the eyes.</summary>
    private static float Quality(FaceDetection detection)
    {
        var l = detection.Landmarks;
        var eyeSpan = l[1].X - l[0].X;
        var frontal = eyeSpan > 1 ? 1 - Math.Clamp(MathF.Abs((l[2].X - l[0].X) / eyeSpan - 0.5f) * 2, 0, 1) : 0;
        var size = Math.Min(1f, detection.Box.Height / 112f);
        return detection.Score * (0.5f + 0.5f * frontal) * (0.3f + 0.7f * size);
    }

    private static byte[] Thumbnail(Mat frame, Rect2f box)
    {
        var side = Math.Max(box.Width, box.Height) * 1.4f;
        var cx = box.X + box.Width / 2;
        var cy = box.Y + box.Height / 2;
        var region = new Rect((int)(cx - side / 2), (int)(cy - side / 2), (int)side, (int)side)
            .Intersect(new Rect(0, 0, frame.Width, frame.Height));
        using var crop = new Mat(frame, region);
        using var scaled = new Mat();
        Cv2.Resize(crop, scaled, new Size(96, Math.Max(1, 96 * region.Height / Math.Max(1, region.Width))), 0, 0, InterpolationFlags.Area);
        return scaled.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 85));
    }

    public void Dispose()
    {
        foreach (var kept in _byTrack.Values)
            foreach (var candidate in kept) candidate.Chip.Dispose();
        _byTrack.Clear();
    }
}
