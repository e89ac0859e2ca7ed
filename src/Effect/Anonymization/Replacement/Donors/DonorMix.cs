namespace Deid.Effect.Anonymization.Replacement.Donors;

/// <summary>
/// Which donors make an identity's new face, and how much of each (weights sum to 1): features of two or more
/// people blended, so the new face is none of them.
/// </summary>
public sealed record DonorMix(IReadOnlyList<int> Donors, IReadOnlyList<float> Weights)
{
    public override string ToString() => string.Join(" + ", Donors.Select((d, i) => $"{Weights[i]:0.00}*#{d}"));
}
