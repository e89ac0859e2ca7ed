using Deid.Effect.Detection;
using Deid.Effect.Recognition;
using OpenCvSharp;

namespace Deid.Effect.Identities;

/// <summary>Finds the identities of a clip that are the person in a reference photo (its largest confident face).</summary>
public sealed class PhotoIdentityMatcher(IFaceDetector detector, IFaceEmbedder embedder, IdentityOptions? options = null)
{
    private readonly IdentityOptions _options = options ?? new IdentityOptions();

    /// <summary>The embedding of the photo's main face; throws <see cref="ArgumentException"/> when the photo holds no clear face.</summary>
    public float[] EmbedPhoto(Mat bgrPhoto, string name)
    {
        var face = detector.Detect(bgrPhoto)
            .Where(d => d.Score >= _options.MinScore)
            .OrderByDescending(d => d.Box.Width * d.Box.Height)
            .FirstOrDefault() ?? throw new ArgumentException($"no clear face found in {name}");
        using var chip = new Mat();
        FaceAligner.Align(bgrPhoto, face.Landmarks, chip);
        return embedder.Embed([chip])[0];
    }

    /// <summary>Identities whose median distance to the photo's face is within the match distance.</summary>
    public IReadOnlyList<int> Match(float[] photoEmbedding, IEnumerable<Identity> identities) =>
        identities.Where(i => i.Embeddings.Count > 0 && EmbeddingMath.MedianDistance(photoEmbedding, i.Embeddings) <= _options.MatchDistance)
            .Select(i => i.Id)
            .ToList();
}
