namespace Deid.Effect.Selection;

/// <summary>
/// The selection in force now, for callers whose selection changes while they render (an effect instance whose
/// keyframes the editor is moving). Readers take one immutable snapshot per frame; writers swap it atomically.
/// </summary>
public sealed class SelectionSource(AnonymizationSelection initial)
{
    private AnonymizationSelection _current = initial;

    public AnonymizationSelection Current => Volatile.Read(ref _current);

    public void Replace(AnonymizationSelection selection) => Volatile.Write(ref _current, selection);

    public bool IsAnonymized(int? identity, double seconds) => Current.IsAnonymized(identity, seconds);
}
