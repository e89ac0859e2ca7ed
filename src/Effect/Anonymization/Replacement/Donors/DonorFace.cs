using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement.Donors;

/// <summary>
/// One donor portrait, ready to lend its features: the face upright in the canonical frame
/// (<see cref="CanonicalFace.Size"/>), its 68 landmarks there, and the recognizer's embedding of it.
/// <see cref="Person"/> groups donors the recognizer takes for the same person, so a mix never pairs a donor with
/// themselves.
/// </summary>
public sealed class DonorFace(string source, Mat canonical, Point2f[] points, float[] embedding, int person) : IDisposable
{
    /// <summary>The file the face came from (its name only, for reports).</summary>
    public string Source { get; } = source;

    /// <summary>CV_8UC3, <see cref="CanonicalFace.Size"/> square.</summary>
    public Mat Canonical { get; } = canonical;

    public Point2f[] Points { get; } = points;

    public float[] Embedding { get; } = embedding;

    public int Person { get; } = person;

    public void Dispose() => Canonical.Dispose();
}
