namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// Writes frames to a <see cref="DiskFrameStore"/> on its own thread, so a render never waits for the disk. The queue
/// is bounded: when it is full the newest write is refused (the frame stays in memory; it is only not persisted),
/// because a render that waits for the disk is worse than a frame rendered twice after a restart.
/// </summary>
internal sealed class BackgroundDiskWriter : IDisposable
{
    private readonly DiskFrameStore _store;
    private readonly int _capacity;
    private readonly object _gate = new();
    private readonly Queue<FrameCacheKey> _order = new();
    private readonly Dictionary<FrameCacheKey, CachedFrame> _pending = [];
    private readonly Thread _thread;
    private (FrameCacheKey Key, CachedFrame Frame)? _writing;
    private bool _stopping;
    private long _dropped;
    private long _pendingBytes;

    /// <summary>
    /// Queued frames may outlive their place in the memory tier; past this many bytes waiting, writes are dropped
    /// whatever the count, so a slow disk cannot pin memory without bound.
    /// </summary>
    public const long MaxPendingBytes = 1L << 30;
    private long _failed;

    public BackgroundDiskWriter(DiskFrameStore store, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _store = store;
        _capacity = capacity;
        _thread = new Thread(Run) { IsBackground = true, Name = "deid frame cache writer", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    /// <summary>Writes refused because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Writes that failed (disk full, permissions); the cache carries on without them.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues a write; false when the queue is full (the write is dropped) or the writer has stopped.</summary>
    public bool TryEnqueue(FrameCacheKey key, CachedFrame frame)
    {
        lock (_gate)
        {
            if (_pending.ContainsKey(key) || _writing?.Key == key) return true;
            if (_stopping || _order.Count >= _capacity || (_order.Count > 0 && _pendingBytes + frame.Pixels.Length > MaxPendingBytes))
            {
                _dropped++;
                return false;
            }
            _order.Enqueue(key);
            _pending[key] = frame;
            _pendingBytes += frame.Pixels.Length;
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>A frame queued or being written, so a lookup between the memory and the disk tier does not miss it.</summary>
    public bool TryGetPending(FrameCacheKey key, out CachedFrame frame)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(key, out frame!)) return true;
            if (_writing is { } writing && writing.Key == key)
            {
                frame = writing.Frame;
                return true;
            }
            return false;
        }
    }

    /// <summary>Waits until every write queued so far has finished.</summary>
    public void Flush()
    {
        lock (_gate)
            while ((_order.Count > 0 || _writing is not null) && _thread.IsAlive) Monitor.Wait(_gate);
    }

    /// <summary>Forgets the queued writes and waits for the one in progress, so nothing lands after a clear.</summary>
    public void DiscardPending()
    {
        lock (_gate)
        {
            _order.Clear();
            _pending.Clear();
            _pendingBytes = 0;
            while (_writing is not null && _thread.IsAlive) Monitor.Wait(_gate);
        }
    }

    /// <summary>Finishes the queued writes, then stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            FrameCacheKey key;
            CachedFrame frame;
            lock (_gate)
            {
                while (_order.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_order.Count == 0) return;
                key = _order.Dequeue();
                frame = _pending[key];
                _pending.Remove(key);
                _pendingBytes -= frame.Pixels.Length;
                _writing = (key, frame);
            }
            try
            {
                _store.Write(key, frame);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Interlocked.Increment(ref _failed);
            }
            finally
            {
                lock (_gate)
                {
                    _writing = null;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }
}
