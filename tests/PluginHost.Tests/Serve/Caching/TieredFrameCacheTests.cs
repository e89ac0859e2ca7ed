using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Tests.Serve.Caching;

public sealed class TieredFrameCacheTests : IDisposable
{
    private readonly TemporaryCacheFolder _folder = new();

    private TieredFrameCache Cache(long memoryBudget = 1L << 30, long diskBudget = 1L << 30, int queue = TieredFrameCache.DefaultWriteQueueCapacity) =>
        new(new CacheSettings(_folder.Path, memoryBudget, diskBudget), queue);

    public void Dispose() => _folder.Dispose();

    /// <summary>Writes 64x64 test frames straight to the disk tier (the cache's own queue may drop writes).</summary>
    private void OnDisk(IEnumerable<FrameCacheKey> keys)
    {
        var store = new DiskFrameStore(_folder.Frames, 1L << 30);
        foreach (var key in keys) Assert.True(store.Write(key, TestFrames.For(key, 64, 64)));
    }

    [Fact]
    public void A_frame_comes_back_from_memory_then_from_disk_after_a_restart()
    {
        var key = TestFrames.Key(12);
        var frame = TestFrames.For(key, noise: false);
        using (var cache = Cache())
        {
            Assert.False(cache.TryGet(key, out _, out var missTier));
            Assert.Equal(CacheTier.None, missTier);
            cache.Add(key, frame);
            Assert.True(cache.TryGet(key, out var hit, out var tier));
            Assert.Equal(CacheTier.Memory, tier);
            Assert.Same(frame.Pixels, hit.Pixels);
            Assert.Equal((1, 1), (cache.MemoryHits, cache.Misses));
        }

        using var restarted = Cache();
        Assert.True(restarted.TryGet(key, out var fromDisk, out var diskTier));
        Assert.Equal(CacheTier.Disk, diskTier);
        TestFrames.AssertSame(frame, fromDisk);
        Assert.True(restarted.TryGet(key, out _, out var promotedTier));
        Assert.Equal(CacheTier.Memory, promotedTier);
        Assert.Equal((1, 1, 0), (restarted.DiskHits, restarted.MemoryHits, restarted.Misses));
    }

    [Fact]
    public void Clearing_one_clip_keeps_the_other_clips_in_memory_and_on_disk()
    {
        var mine = Enumerable.Range(0, 3).Select(f => new FrameCacheKey("mine", f, (UInt128)(100 + f))).ToList();
        var theirs = Enumerable.Range(0, 3).Select(f => new FrameCacheKey("theirs", f, (UInt128)(200 + f))).ToList();
        using (var cache = Cache())
        {
            foreach (var key in mine.Concat(theirs)) cache.Add(key, TestFrames.For(key, 64, 64));
            cache.Flush();
            var removed = cache.ClearClip("mine");
            Assert.Equal(3, removed.Count);
            Assert.All(mine, key => Assert.False(cache.TryGet(key, out _, out _)));
            Assert.All(theirs, key => Assert.True(cache.TryGet(key, out _, out var tier) && tier == CacheTier.Memory));
        }
        using var restarted = Cache();
        Assert.All(mine, key => Assert.False(restarted.TryGet(key, out _, out _)));
        Assert.All(theirs, key => Assert.True(restarted.TryGet(key, out _, out var tier) && tier == CacheTier.Disk));
    }

    [Fact]
    public void Background_writes_are_all_on_disk_after_a_flush()
    {
        using var cache = Cache();
        for (var frame = 0; frame < 5; frame++) cache.Add(TestFrames.Key(frame), TestFrames.For(TestFrames.Key(frame), 64, 64));
        cache.Flush();
        Assert.Equal(5, cache.Writes);
        Assert.Equal(5, _folder.EntryFiles().Count);
    }

    [Fact]
    public void A_full_write_queue_drops_disk_writes_instead_of_waiting()
    {
        var frames = Enumerable.Range(0, 30).Select(f => (Key: TestFrames.Key(f), Frame: TestFrames.For(TestFrames.Key(f)))).ToList();
        using var cache = Cache(queue: 1);
        foreach (var (key, frame) in frames) cache.Add(key, frame);
        cache.Flush();
        Assert.Equal(30, cache.Writes + cache.DroppedWrites);
        Assert.True(cache.DroppedWrites > 0, "thirty 1 MB writes through a queue of one should drop some");
        Assert.Equal(30, cache.MemoryEntries);
    }

    [Fact]
    public void The_memory_budget_holds_and_older_frames_are_then_served_from_disk()
    {
        var frameBytes = TestFrames.For(TestFrames.Key(0)).Pixels.Length;
        using var cache = Cache(memoryBudget: 3 * frameBytes);
        for (var frame = 0; frame < 10; frame++)
        {
            cache.Add(TestFrames.Key(frame), TestFrames.For(TestFrames.Key(frame)));
            Assert.True(cache.MemoryBytes <= cache.MemoryBudgetBytes);
        }
        cache.Flush();
        Assert.Equal(3, cache.MemoryEntries);
        Assert.Equal(7, cache.MemoryEvictions);
        Assert.True(cache.TryGet(TestFrames.Key(0), out var oldest, out var tier));
        Assert.Equal(CacheTier.Disk, tier);
        TestFrames.AssertSame(TestFrames.For(TestFrames.Key(0)), oldest);
        Assert.True(cache.TryGet(TestFrames.Key(9), out _, out var newestTier));
        Assert.Equal(CacheTier.Memory, newestTier);
    }

    [Fact]
    public void Read_ahead_loads_the_disk_entries_of_the_frames_asked_for_into_memory()
    {
        OnDisk([.. Enumerable.Range(0, 10).Select(f => TestFrames.Key(f)), TestFrames.Key(3, settings: 1)]);

        using var cache = Cache();
        Assert.True(cache.TryGet(TestFrames.Key(2), out _, out var before));
        Assert.Equal(CacheTier.Disk, before);
        cache.ReadAhead(TestFrames.Fingerprint, [2, 3, 4, 5]);
        Assert.True(cache.WaitForReadAhead(TimeSpan.FromSeconds(30)));
        Assert.Equal(4, cache.ReadAheadLoads); // 3 (two settings), 4, 5; 2 was already in memory
        foreach (var key in new[] { TestFrames.Key(2), TestFrames.Key(3), TestFrames.Key(3, settings: 1), TestFrames.Key(4), TestFrames.Key(5) })
        {
            Assert.True(cache.TryGet(key, out var frame, out var tier));
            Assert.Equal(CacheTier.Memory, tier);
            TestFrames.AssertSame(TestFrames.For(key, 64, 64), frame);
        }
        Assert.True(cache.TryGet(TestFrames.Key(6), out _, out var notAsked));
        Assert.Equal(CacheTier.Disk, notAsked);
    }

    [Fact]
    public void A_newer_read_ahead_replaces_the_older()
    {
        OnDisk([.. Enumerable.Range(0, 40).Select(f => TestFrames.Key(f))]);

        using var cache = Cache();
        cache.ReadAhead(TestFrames.Fingerprint, Enumerable.Range(0, 39));
        cache.ReadAhead(TestFrames.Fingerprint, [39]);
        Assert.True(cache.WaitForReadAhead(TimeSpan.FromSeconds(30)));
        Assert.True(cache.TryGet(TestFrames.Key(39), out _, out var tier));
        Assert.Equal(CacheTier.Memory, tier);
        Assert.True(cache.ReadAheadLoads <= 40);
    }

    [Fact]
    public void A_damaged_disk_entry_is_a_counted_miss_and_can_be_added_again()
    {
        var key = TestFrames.Key(1);
        using (var writer = Cache()) writer.Add(key, TestFrames.For(key));
        var path = Assert.Single(_folder.EntryFiles());
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 1;
        File.WriteAllBytes(path, bytes);

        using var cache = Cache();
        Assert.False(cache.TryGet(key, out _, out var tier));
        Assert.Equal(CacheTier.None, tier);
        Assert.Equal((1, 1), (cache.Corrupt, cache.Misses));
        cache.Add(key, TestFrames.For(key));
        cache.Flush();
        Assert.True(new DiskFrameStore(_folder.Frames, 1L << 30).TryRead(key, out var reread));
        TestFrames.AssertSame(TestFrames.For(key), reread);
    }

    [Fact]
    public void Clear_empties_both_tiers()
    {
        using var cache = Cache();
        for (var frame = 0; frame < 4; frame++) cache.Add(TestFrames.Key(frame), TestFrames.For(TestFrames.Key(frame), 64, 64));
        cache.Flush();
        var removed = cache.Clear();
        Assert.Equal(4, removed.Count);
        Assert.Equal(0, cache.MemoryBytes);
        Assert.Empty(_folder.EntryFiles());
        Assert.False(cache.TryGet(TestFrames.Key(0), out _, out _));
    }

    [Fact]
    public void With_no_memory_budget_the_disk_still_serves_and_with_no_disk_budget_nothing_is_written()
    {
        var key = TestFrames.Key(1);
        using (var diskOnly = Cache(memoryBudget: 0))
        {
            diskOnly.Add(key, TestFrames.For(key));
            diskOnly.Flush();
            Assert.True(diskOnly.TryGet(key, out _, out var tier));
            Assert.Equal(CacheTier.Disk, tier);
            Assert.Equal(0, diskOnly.MemoryBytes);
        }
        _folder.Dispose();
        using var memoryOnly = Cache(diskBudget: 0);
        Assert.Null(memoryOnly.Disk);
        memoryOnly.Add(key, TestFrames.For(key));
        memoryOnly.Flush();
        Assert.True(memoryOnly.TryGet(key, out _, out var memoryTier));
        Assert.Equal(CacheTier.Memory, memoryTier);
        Assert.Empty(_folder.EntryFiles());
    }
}
