namespace Deid.Effect.Identities;

/// <summary>
/// One person: the tracks that show them, where in the clip they appear, and what the recognizer says they look
/// like. Numbers start at 1 and follow the order of first appearance.
/// </summary>
public sealed record Identity(int Id, IReadOnlyList<int> TrackIds, int FirstFrame, int LastFrame, float[] Centroid, IReadOnlyList<float[]> Embeddings)
{
    /// <summary>Small JPEG face crops for people to recognise the person by (best first).</summary>
    public IReadOnlyList<byte[]> Thumbnails { get; init; } = [];

    /// <summary>The person's best faces, losslessly, for methods that plan per person (see <see cref="FaceSample"/>).</summary>
    public IReadOnlyList<FaceSample> Samples { get; init; } = [];
}
