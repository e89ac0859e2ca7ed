namespace Deid.Effect.Selection;

/// <summary>
/// Who is anonymized when: a default policy and, per identity, step keys over time. Immutable, so a renderer can
/// hold one snapshot per frame while the editor changes the selection (see <see cref="SelectionSource"/>).
/// </summary>
public sealed class AnonymizationSelection
{
    private readonly Dictionary<int, SelectionKey[]> _keys;

    public AnonymizationSelection(AnonymizationPolicy policy, IReadOnlyDictionary<int, IReadOnlyList<SelectionKey>>? keys = null)
    {
        Policy = policy;
        _keys = (keys ?? new Dictionary<int, IReadOnlyList<SelectionKey>>())
            .Where(pair => pair.Value.Count > 0)
            .ToDictionary(pair => pair.Key, pair => pair.Value.OrderBy(k => k.Seconds).ToArray());
    }

    public static AnonymizationSelection Everyone { get; } = new(AnonymizationPolicy.AnonymizeEveryone);

    /// <summary>Everyone is anonymized except these identities, for the whole clip.</summary>
    public static AnonymizationSelection Keep(IEnumerable<int> identities) =>
        new(AnonymizationPolicy.AnonymizeEveryone, identities.Distinct().ToDictionary(id => id, _ => (IReadOnlyList<SelectionKey>)[new SelectionKey(0, false)]));

    public AnonymizationPolicy Policy { get; }

    public IReadOnlyDictionary<int, SelectionKey[]> Keys => _keys;

    /// <summary>
    /// Whether a face of <paramref name="identity"/> is hidden at <paramref name="seconds"/>. A face of no identity, or of
    /// an identity without keys, follows the policy; before an identity's first key, the first key's value holds.
    /// </summary>
    public bool IsAnonymized(int? identity, double seconds)
    {
        if (identity is not { } id || !_keys.TryGetValue(id, out var keys)) return Policy == AnonymizationPolicy.AnonymizeEveryone;
        var value = keys[0].Anonymize;
        foreach (var key in keys)
        {
            // A key at exactly a frame's time applies to that frame; the tolerance absorbs rounding of t = frame / rate.
            if (key.Seconds > seconds + 1e-9) break;
            value = key.Anonymize;
        }
        return value;
    }

    /// <summary>The same selection with one identity's keys replaced (an edit in the host, say).</summary>
    public AnonymizationSelection With(int identity, IReadOnlyList<SelectionKey> keys)
    {
        var all = _keys.ToDictionary(p => p.Key, p => (IReadOnlyList<SelectionKey>)p.Value);
        all[identity] = keys;
        return new AnonymizationSelection(Policy, all);
    }

    /// <summary>Merges <paramref name="other"/>'s keys over this one's (per identity, other wins); the policy is this one's.</summary>
    public AnonymizationSelection Merge(AnonymizationSelection other)
    {
        var all = _keys.ToDictionary(p => p.Key, p => (IReadOnlyList<SelectionKey>)p.Value);
        foreach (var (id, keys) in other._keys) all[id] = keys;
        return new AnonymizationSelection(Policy, all);
    }
}
