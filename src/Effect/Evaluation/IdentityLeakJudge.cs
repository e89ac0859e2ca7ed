using Deid.Effect.Recognition;
using OpenCvSharp;

namespace Deid.Effect.Evaluation;

/// <summary>
/// Decides whether an anonymized face can still be recognized. The recognizer alone is not a fair judge: on small
/// or dark faces it places a featureless blob within 0.6 of the face itself. So the output counts as leaked when it
/// is untouched, or when it is within the match threshold AND nearer the original than a heavily blurred copy of
/// the original (Gaussian sigma 10 px on the 150 px aligned chip) is. Both chips are aligned at the source face's
/// landmarks, so the output is judged exactly where the face was.
/// </summary>
public sealed class IdentityLeakJudge(IFaceEmbedder embedder)
{
    public const double ReferenceBlurSigma = 10;

    public IReadOnlyList<LeakVerdict> Judge(Mat originalFrame, Mat anonymizedFrame, IReadOnlyList<Point2f[]> faceLandmarks)
    {
        if (faceLandmarks.Count == 0) return [];
        var chips = new List<Mat>(faceLandmarks.Count * 3);
        try
        {
            foreach (var landmarks in faceLandmarks)
            {
                var original = new Mat();
                FaceAligner.Align(originalFrame, landmarks, original);
                var anonymized = new Mat();
                FaceAligner.Align(anonymizedFrame, landmarks, anonymized);
                var reference = new Mat();
                Cv2.GaussianBlur(original, reference, new Size(0, 0), ReferenceBlurSigma);
                chips.Add(original);
                chips.Add(anonymized);
                chips.Add(reference);
            }
            var embeddings = embedder.Embed(chips);
            var verdicts = new List<LeakVerdict>(faceLandmarks.Count);
            for (var i = 0; i < faceLandmarks.Count; i++)
            {
                var original = embeddings[3 * i];
                var distance = embedder.Distance(original, embeddings[3 * i + 1]);
                var reference = embedder.Distance(original, embeddings[3 * i + 2]);
                var untouched = Identical(chips[3 * i], chips[3 * i + 1]);
                var leaked = untouched || (distance < embedder.MatchThreshold && distance <= reference);
                verdicts.Add(new LeakVerdict(distance, reference, untouched, leaked) { OriginalEmbedding = original, OutputEmbedding = embeddings[3 * i + 1] });
            }
            return verdicts;
        }
        finally
        {
            foreach (var chip in chips) chip.Dispose();
        }
    }

    /// <summary>Untouched up to re-encoding noise: under 1 level of mean absolute difference.</summary>
    private static bool Identical(Mat a, Mat b)
    {
        using var difference = new Mat();
        Cv2.Absdiff(a, b, difference);
        var mean = Cv2.Mean(difference);
        return (mean.Val0 + mean.Val1 + mean.Val2) / 3 < 1;
    }
}
