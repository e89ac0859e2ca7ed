using Deid.Effect.Analysis;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Reports;

/// <summary>
/// A small analysis built in memory: 100 frames at 25 fps (4 s). Person 1 is tracks 1 (frames 0-24) and 2 (50-74),
/// person 2 is track 3 (10-39), track 4 (80-89) belongs to nobody. Round numbers, so positions and times are exact.
/// </summary>
public static class SyntheticAnalysis
{
    public const int FrameCount = 100;

    /// <summary>The one frame the synthetic clip is said to cut at.</summary>
    public const int CutFrame = 50;

    public static readonly (int Track, int First, int Last)[] Tracks = [(1, 0, 24), (2, 50, 74), (3, 10, 39), (4, 80, 89)];

    /// <param name="extraIdentities">More people, one short track each after frame 90, to make the sheet grow.</param>
    public static AnalysisDocument Create(string sourceName = "interview.mp4", int extraIdentities = 0)
    {
        var tracks = Tracks.ToList();
        for (var i = 0; i < extraIdentities; i++) tracks.Add((5 + i, 90, 95));

        var document = new AnalysisDocument
        {
            Fingerprint = "0123456789abcdef",
            Width = 640,
            Height = 360,
            FrameRateNumerator = 25,
            FrameRateDenominator = 1,
            ScoreThreshold = 0.6f,
            SourceName = sourceName,
            CutFrames = [CutFrame],
        };
        for (var frame = 0; frame < FrameCount; frame++)
        {
            var present = tracks.Where(t => frame >= t.First && frame <= t.Last).ToList();
            var flat = new List<float>();
            foreach (var (track, _, _) in present)
            {
                float x = 10 * track + frame, y = 20;
                flat.AddRange([x, y, 30.456f, 40.001f, 0.93214f]);
                for (var p = 0; p < 5; p++) flat.AddRange([x + 5 * p + 0.125f, y + 10 + p]);
            }
            document.Detections.Add([.. flat]);
            document.TrackOfDetection.Add([.. present.Select(t => t.Track)]);
        }
        document.Identities.Add(Identity(1, [1, 2], 0, 74, thumbnails: 5));
        document.Identities.Add(Identity(2, [3], 10, 39, thumbnails: 2));
        for (var i = 0; i < extraIdentities; i++) document.Identities.Add(Identity(3 + i, [5 + i], 90, 95, thumbnails: 1));
        return document;
    }

    private static IdentityRecord Identity(int id, int[] tracks, int first, int last, int thumbnails) => new()
    {
        Id = id,
        TrackIds = tracks,
        FirstFrame = first,
        LastFrame = last,
        Centroid = [1, 0],
        Embeddings = [[1, 0]],
        Thumbnails = [.. Enumerable.Range(0, thumbnails).Select(i => Jpeg(new Scalar(40 * i, 80 + 40 * id, 200)))],
    };

    private static byte[] Jpeg(Scalar color)
    {
        using var image = new Mat(24, 20, MatType.CV_8UC3, color);
        return image.ImEncode(".jpg");
    }
}
