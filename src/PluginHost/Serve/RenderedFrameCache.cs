using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Serve;

/// <summary>
/// Rendered frames kept in memory with a byte budget, least recently used first out, so showing a frame again (an
/// editor scrubbing) costs a copy. Keys are hashes of everything the result depends on, the input pixels included,
/// so a change anywhere upstream is a miss, never a stale frame. The memory-only cache of the serve engine; the
/// budgeted store itself is <see cref="ByteBudgetLru{TKey, TValue}"/>, shared with <see cref="TieredFrameCache"/>.
/// </summary>
public sealed class RenderedFrameCache(long budgetBytes)
{
    public sealed record Entry(byte[] Pixels, int Faces);

    private readonly ByteBudgetLru<UInt128, Entry> _frames = new(budgetBytes, entry => entry.Pixels.Length);
    private long _hits;
    private long _misses;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Bytes => _frames.Bytes;

    public bool TryGet(UInt128 key, out Entry entry)
    {
        var found = _frames.TryGet(key, out entry);
        Interlocked.Increment(ref found ? ref _hits : ref _misses);
        return found;
    }

    public void Add(UInt128 key, Entry entry) => _frames.Add(key, entry);

    public void Clear() => _frames.Clear();
}
