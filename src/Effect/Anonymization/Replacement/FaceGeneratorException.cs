namespace Deid.Effect.Anonymization.Replacement;

/// <summary>A face generator model that cannot be used: missing, unreadable, or not following docs/GENERATOR.md.</summary>
public sealed class FaceGeneratorException(string message, Exception? inner = null) : Exception(message, inner);
