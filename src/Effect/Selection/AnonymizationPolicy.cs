namespace Deid.Effect.Selection;

/// <summary>What happens to a face nobody chose for: every face not listed, and every face of no identity.</summary>
public enum AnonymizationPolicy
{
    /// <summary>The default: hide everyone except the people listed as kept.</summary>
    AnonymizeEveryone,

    /// <summary>Hide only the people listed as anonymized; everyone else, unknown faces included, stays visible.</summary>
    AnonymizeOnlyListed,
}
