namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// Rendered frames in memory (a byte-budgeted LRU) in front of a <see cref="DiskFrameStore"/>, so a frame rendered
/// once costs about a copy to show again: in this process from memory, after a restart or in another instance from
/// disk. A render never waits for the disk: writes go through a bounded background queue (dropped when it is full)
/// and read-ahead runs on a lowest-priority thread. Thread-safe.
/// </summary>
public sealed class TieredFrameCache : IDisposable
{
    public const int DefaultWriteQueueCapacity = 8;

    private readonly ByteBudgetLru<FrameCacheKey, CachedFrame> _memory;
    private readonly BackgroundDiskWriter? _writer;
    private readonly ReadAheadWorker? _readAhead;
    private long _memoryHits;
    private long _diskHits;
    private long _misses;
    private long _readAheadLoads;
    private int _disposed;

    /// <summary>Both tiers as <paramref name="settings"/> say; a budget of 0 leaves that tier out.</summary>
    public TieredFrameCache(CacheSettings settings, int writeQueueCapacity = DefaultWriteQueueCapacity)
        : this(settings.MemoryBudgetBytes, settings.DiskBudgetBytes > 0 ? DiskFrameStore.For(settings) : null, writeQueueCapacity)
    {
    }

    /// <param name="memoryBudgetBytes">Bytes of pixels kept in memory; 0 keeps none.</param>
    /// <param name="disk">The disk tier, or null for memory only.</param>
    /// <param name="writeQueueCapacity">Disk writes that may wait; more are dropped rather than slow the render.</param>
    public TieredFrameCache(long memoryBudgetBytes, DiskFrameStore? disk, int writeQueueCapacity = DefaultWriteQueueCapacity)
    {
        _memory = new ByteBudgetLru<FrameCacheKey, CachedFrame>(memoryBudgetBytes, frame => frame.Pixels.Length);
        Disk = disk;
        if (disk is null) return;
        _writer = new BackgroundDiskWriter(disk, writeQueueCapacity);
        if (memoryBudgetBytes > 0) _readAhead = new ReadAheadWorker(LoadIntoMemory);
    }

    public DiskFrameStore? Disk { get; }

    public long MemoryBudgetBytes => _memory.BudgetBytes;

    public long MemoryBytes => _memory.Bytes;

    public int MemoryEntries => _memory.Count;

    public long MemoryHits => Interlocked.Read(ref _memoryHits);

    /// <summary>Lookups answered by the disk tier (the frame is then also in memory).</summary>
    public long DiskHits => Interlocked.Read(ref _diskHits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Damaged disk entries found, deleted and treated as misses.</summary>
    public long Corrupt => Disk?.Corrupt ?? 0;

    /// <summary>Entries written to disk.</summary>
    public long Writes => Disk?.Writes ?? 0;

    /// <summary>Disk writes dropped because the queue was full.</summary>
    public long DroppedWrites => _writer?.Dropped ?? 0;

    /// <summary>Disk writes that failed (disk full, permissions).</summary>
    public long FailedWrites => _writer?.Failed ?? 0;

    public long MemoryEvictions => _memory.Evictions;

    public long DiskEvictions => Disk?.Evictions ?? 0;

    /// <summary>Entries pushed out of either tier to respect its budget.</summary>
    public long Evictions => MemoryEvictions + DiskEvictions;

    /// <summary>Disk entries loaded into memory by <see cref="ReadAhead"/>.</summary>
    public long ReadAheadLoads => Interlocked.Read(ref _readAheadLoads);

    /// <summary>
    /// The frame under <paramref name="key"/>: from memory, else from disk (then kept in memory too). The returned
    /// pixels are shared with the cache and must not be changed.
    /// </summary>
    /// <summary>Whether the frame is kept (in memory, waiting for the disk, or on disk), without counting a hit or a miss.</summary>
    public bool Contains(FrameCacheKey key) =>
        _memory.Contains(key) || (_writer?.TryGetPending(key, out _) ?? false) || (Disk?.EntriesFor(key.Fingerprint, key.Frame).Contains(key) ?? false);

    public bool TryGet(FrameCacheKey key, out CachedFrame frame, out CacheTier tier)
    {
        if (_memory.TryGet(key, out frame))
        {
            tier = CacheTier.Memory;
            Interlocked.Increment(ref _memoryHits);
            return true;
        }
        if (_writer is not null && _writer.TryGetPending(key, out frame))
        {
            // Pushed out of memory while still waiting for the disk: as good as a memory hit.
            _memory.Add(key, frame);
            tier = CacheTier.Memory;
            Interlocked.Increment(ref _memoryHits);
            return true;
        }
        if (Disk is not null && Disk.TryRead(key, out frame))
        {
            _memory.Add(key, frame);
            tier = CacheTier.Disk;
            Interlocked.Increment(ref _diskHits);
            return true;
        }
        tier = CacheTier.None;
        frame = null!;
        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>
    /// Keeps a freshly rendered frame: in memory now, on disk soon (in the background). The cache keeps
    /// <paramref name="frame"/>'s pixel array, so the caller must not change it afterwards.
    /// </summary>
    public void Add(FrameCacheKey key, CachedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!key.IsValid) throw new ArgumentException("an uninitialised cache key", nameof(key));
        _memory.Add(key, frame);
        _writer?.TryEnqueue(key, frame);
    }

    /// <summary>
    /// Loads the disk entries of <paramref name="frames"/> of clip <paramref name="fingerprint"/> (any settings) into
    /// memory in the background, at the lowest priority, skipping those already there. A newer call cancels this one.
    /// </summary>
    public void ReadAhead(string fingerprint, IEnumerable<int> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (_readAhead is null || !FrameCacheKey.IsValidFingerprint(fingerprint)) return;
        _readAhead.Request(fingerprint, [.. frames]);
    }

    /// <summary>Waits for the read-ahead in progress; false when it took longer than <paramref name="timeout"/>.</summary>
    public bool WaitForReadAhead(TimeSpan timeout) => _readAhead?.WaitUntilIdle(timeout) ?? true;

    /// <summary>Waits until every disk write queued so far has finished (tests, shutdown).</summary>
    public void Flush() => _writer?.Flush();

    /// <summary>Empties both tiers: pending writes and read-ahead are dropped first so nothing comes back.</summary>
    /// <summary>Forgets one clip's frames, in memory and on disk, and nothing else.</summary>
    public RemovedFiles ClearClip(string fingerprint)
    {
        _readAhead?.Cancel();
        _readAhead?.WaitUntilIdle(Timeout.InfiniteTimeSpan);
        _writer?.DiscardPending();
        _memory.RemoveWhere(key => key.Fingerprint == fingerprint);
        return Disk?.ClearClip(fingerprint) ?? RemovedFiles.None;
    }

    public RemovedFiles Clear()
    {
        _readAhead?.Cancel();
        _readAhead?.WaitUntilIdle(Timeout.InfiniteTimeSpan);
        _writer?.DiscardPending();
        _memory.Clear();
        return Disk?.Clear() ?? RemovedFiles.None;
    }

    /// <summary>Finishes the queued disk writes, then stops the background threads.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _readAhead?.Dispose();
        _writer?.Dispose();
    }

    private void LoadIntoMemory(string fingerprint, int frame, CancellationToken cancel)
    {
        foreach (var key in Disk!.EntriesFor(fingerprint, frame))
        {
            if (cancel.IsCancellationRequested) return;
            if (_memory.Contains(key)) continue;
            if (!Disk.TryRead(key, out var loaded)) continue;
            _memory.Add(key, loaded);
            Interlocked.Increment(ref _readAheadLoads);
        }
    }
}
