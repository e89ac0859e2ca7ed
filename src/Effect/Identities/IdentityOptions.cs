namespace Deid.Effect.Identities;

/// <summary>Which detections may vote on who a track is, and how alike tracks must be to be one person.</summary>
public sealed record IdentityOptions
{
    /// <summary>Only confident detections are embedded: a false detection once came out 0.57 from a real person.</summary>
    public float MinScore { get; init; } = 0.9f;

    /// <summary>Faces smaller than this (box height, pixels) carry too little detail for the recognizer.</summary>
    public float MinFaceHeight { get; init; } = 32f;

    /// <summary>Embeddings kept per track, the best-quality detections of it.</summary>
    public int EmbeddingsPerTrack { get; init; } = 4;

    /// <summary>Two groups of tracks are one person when their mean embedding distance is at most this.</summary>
    public float MatchDistance { get; init; } = 0.6f;

    /// <summary>Face crops kept per identity for the contact sheet.</summary>
    public int ThumbnailsPerIdentity { get; init; } = 4;

    /// <summary>
    /// Lossless face samples kept per person, from their tracks in proportion to the tracks' lengths: as many as
    /// replace plans a new face on (<c>ReplacementOptions.MaxSamples</c>).
    /// </summary>
    public int SamplesPerIdentity { get; init; } = 4;
}
