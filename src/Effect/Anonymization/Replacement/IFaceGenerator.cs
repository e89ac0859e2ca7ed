using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// A learned face generator (contract: docs/GENERATOR.md). It sees the face aligned in the canonical frame
/// (<see cref="CanonicalFace"/>) at <see cref="Size"/> and a target identity, and paints the new face and the
/// mask to blend it with, in that same frame; the caller pastes both back through the inverse alignment.
/// </summary>
public interface IFaceGenerator
{
    /// <summary>Side of the square canonical crop the model takes and returns.</summary>
    int Size { get; }

    /// <param name="alignedFace">CV_8UC3 BGR, Size x Size, the face in the canonical frame.</param>
    /// <param name="identity">The target identity vector (<see cref="IdentityTransform.EmbeddingLength"/> values).</param>
    /// <param name="image">Receives CV_8UC3 BGR, Size x Size: the new face.</param>
    /// <param name="mask">Receives CV_32FC1, Size x Size, 0..1: where the new face replaces the frame.</param>
    void Generate(Mat alignedFace, ReadOnlySpan<float> identity, Mat image, Mat mask);
}
