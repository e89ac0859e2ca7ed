using Deid.Effect.Evaluation;
using Deid.Effect.Recognition;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// A face as it came in, as the safety checks compare with it: its recognizer chip, aligned where the detector found
/// the face. Its embedding and its heavily blurred copy's distance are worked out once, however many checks the face
/// goes through (the first try, its corrections, the stronger retry, a neighbour's overlap, the carried-over check):
/// each is a recognizer run, the costliest step of a check.
/// </summary>
internal sealed class JudgedOriginal(Mat chip, ResNetFaceEmbedder embedder) : IDisposable
{
    private float[]? _embedding;
    private float? _blurredDistance;

    /// <summary>The distance of each chip from the original, in order; the first call embeds the original in the same batch.</summary>
    public float[] DistancesTo(params IReadOnlyList<Mat> chips)
    {
        var first = _embedding is null;
        var embeddings = embedder.Embed(first ? [chip, .. chips] : chips);
        var original = _embedding ??= embeddings[0];
        var offset = first ? 1 : 0;
        var distances = new float[chips.Count];
        for (var i = 0; i < chips.Count; i++) distances[i] = embedder.Distance(original, embeddings[i + offset]);
        return distances;
    }

    /// <summary>How far a heavily blurred copy of the face is from it: the reference of the fair leak rule (see <see cref="IdentityLeakJudge"/>).</summary>
    public float BlurredDistance
    {
        get
        {
            if (_blurredDistance is { } known) return known;
            using var reference = new Mat();
            Cv2.GaussianBlur(chip, reference, new Size(0, 0), IdentityLeakJudge.ReferenceBlurSigma);
            var distance = DistancesTo(reference)[0];
            _blurredDistance = distance;
            return distance;
        }
    }

    /// <summary>
    /// The rule the face's new face, as kept, passed: the margin of <see cref="FaceReplacer"/>'s check beyond the match
    /// distance as rendered and encoded, or null for the first try's rule (beyond it by the safety margin, or farther
    /// than the blurred original by as much). A later look at the face, once its neighbours are replaced too, asks the
    /// same: a stricter rule there blurred faces that a retry had cleared, and the blur came out nearer the person.
    /// </summary>
    public float? ClearedMargin { get; set; }

    public void Dispose() => chip.Dispose();
}
