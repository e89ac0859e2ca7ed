namespace Deid.PluginHost.Serve;

/// <summary>
/// Rendered frames kept in memory with a byte budget, least recently used first out, so showing a frame again (an
/// editor scrubbing) costs a copy. Keys are hashes of everything the result depends on, the input pixels included,
/// so a change anywhere upstream is a miss, never a stale frame.
/// </summary>
public sealed class RenderedFrameCache(long budgetBytes)
{
    public sealed record Entry(byte[] Pixels, int Faces);

    private readonly LinkedList<(UInt128 Key, Entry Entry)> _order = new();
    private readonly Dictionary<UInt128, LinkedListNode<(UInt128 Key, Entry Entry)>> _index = [];
    private readonly object _gate = new();
    private long _bytes;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public long Bytes { get { lock (_gate) return _bytes; } }

    public bool TryGet(UInt128 key, out Entry entry)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                entry = node.Value.Entry;
                Hits++;
                return true;
            }
            Misses++;
            entry = null!;
            return false;
        }
    }

    public void Add(UInt128 key, Entry entry)
    {
        if (entry.Pixels.Length > budgetBytes) return;
        lock (_gate)
        {
            if (_index.ContainsKey(key)) return;
            _index[key] = _order.AddFirst((key, entry));
            _bytes += entry.Pixels.Length;
            while (_bytes > budgetBytes && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _index.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Entry.Pixels.Length;
            }
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
