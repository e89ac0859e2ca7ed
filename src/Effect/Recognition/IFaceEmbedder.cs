using OpenCvSharp;

namespace Deid.Effect.Recognition;

/// <summary>Turns aligned face chips into identity embeddings; same person when <see cref="Distance"/> is small.</summary>
public interface IFaceEmbedder
{
    /// <summary>Distance at or below which two embeddings are taken to be the same person.</summary>
    float MatchThreshold { get; }

    /// <summary>Embeds a batch of aligned BGR chips (see <see cref="FaceAligner"/>).</summary>
    float[][] Embed(IReadOnlyList<Mat> alignedChips);

    float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b);
}
