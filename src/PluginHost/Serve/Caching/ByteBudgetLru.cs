namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// Values kept in memory up to a byte budget, least recently used first out. Thread-safe. A value larger than the
/// whole budget is not kept (it would only push everything else out and then itself).
/// </summary>
public sealed class ByteBudgetLru<TKey, TValue>(long budgetBytes, Func<TValue, long> sizeOf) where TKey : notnull
{
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _index = [];
    private readonly Lock _gate = new();
    private long _bytes;
    private long _evictions;

    public long BudgetBytes => budgetBytes;

    public long Bytes { get { lock (_gate) return _bytes; } }

    public int Count { get { lock (_gate) return _index.Count; } }

    /// <summary>Values pushed out to make room for newer ones (not those removed or cleared).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>The value under <paramref name="key"/>, which becomes the most recently used.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    /// <summary>Whether <paramref name="key"/> is held, without making it more recently used.</summary>
    public bool Contains(TKey key)
    {
        lock (_gate) return _index.ContainsKey(key);
    }

    /// <summary>
    /// Keeps <paramref name="value"/> as the most recently used, pushing the least recently used out until it fits.
    /// A key already held keeps its value (same key, same content) and only becomes the most recently used.
    /// Returns whether the value is now held.
    /// </summary>
    public bool Add(TKey key, TValue value)
    {
        var size = sizeOf(value);
        if (size > budgetBytes) return false;
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var existing))
            {
                _order.Remove(existing);
                _order.AddFirst(existing);
                return true;
            }
            while (_bytes + size > budgetBytes && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _index.Remove(oldest.Value.Key);
                _bytes -= sizeOf(oldest.Value.Value);
                _evictions++;
            }
            _index[key] = _order.AddFirst((key, value));
            _bytes += size;
            return true;
        }
    }

    public bool Remove(TKey key)
    {
        lock (_gate)
        {
            if (!_index.Remove(key, out var node)) return false;
            _order.Remove(node);
            _bytes -= sizeOf(node.Value.Value);
            return true;
        }
    }

    /// <summary>Removes every entry whose key matches; returns how many.</summary>
    public int RemoveWhere(Func<TKey, bool> match)
    {
        lock (_gate)
        {
            var removed = 0;
            for (var node = _order.First; node is not null;)
            {
                var next = node.Next;
                if (match(node.Value.Key))
                {
                    _order.Remove(node);
                    _index.Remove(node.Value.Key);
                    _bytes -= sizeOf(node.Value.Value);
                    removed++;
                }
                node = next;
            }
            return removed;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _order.Clear();
            _index.Clear();
            _bytes = 0;
        }
    }
}
