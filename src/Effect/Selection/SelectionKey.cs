namespace Deid.Effect.Selection;

/// <summary>From <see cref="Seconds"/> on (until the next key), the identity is anonymized or not. Step keys, no blending.</summary>
public readonly record struct SelectionKey(double Seconds, bool Anonymize);
