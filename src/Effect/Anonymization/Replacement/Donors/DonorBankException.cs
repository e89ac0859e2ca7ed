namespace Deid.Effect.Anonymization.Replacement.Donors;

/// <summary>A donor folder that cannot be used: missing, unreadable, or without a single usable face.</summary>
public sealed class DonorBankException(string message, Exception? inner = null) : Exception(message, inner);
