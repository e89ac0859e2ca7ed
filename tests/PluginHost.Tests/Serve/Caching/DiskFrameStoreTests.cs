using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Tests.Serve.Caching;

public sealed class DiskFrameStoreTests : IDisposable
{
    private readonly TemporaryCacheFolder _folder = new();

    private DiskFrameStore Store(long budget = 1L << 30) => new(_folder.Frames, budget);

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_frame_written_is_read_back_by_a_new_instance(bool noise)
    {
        var key = TestFrames.Key(42);
        var frame = TestFrames.For(key, 320, 180, noise);
        Assert.True(Store().Write(key, frame));

        var restarted = Store();
        Assert.True(restarted.TryRead(key, out var read));
        TestFrames.AssertSame(frame, read);
        Assert.Equal(1, restarted.Hits);
        Assert.Equal(0, restarted.Corrupt);
        Assert.Equal(Path.Combine(_folder.Frames, TestFrames.Fingerprint, $"0000042-{key.Hash:x32}.dfc"), restarted.PathFor(key));
        if (!noise) Assert.True(new FileInfo(restarted.PathFor(key)).Length < frame.Pixels.Length, "smooth content should be stored compressed");
    }

    [Fact]
    public void Every_depth_round_trips()
    {
        foreach (var (depth, bytesPerChannel) in new[] { ("byte", 1), ("short", 2), ("float", 4) })
        {
            var key = TestFrames.Key(bytesPerChannel);
            var frame = new CachedFrame(TestFrames.For(key, 64 * bytesPerChannel, 32).Pixels, 3, 64, 32, depth);
            Assert.True(Store().Write(key, frame));
            Assert.True(Store().TryRead(key, out var read));
            TestFrames.AssertSame(frame, read);
        }
    }

    [Fact]
    public void A_missing_entry_is_a_miss_not_damage()
    {
        var store = Store();
        Assert.False(store.TryRead(TestFrames.Key(1), out _));
        Assert.Equal(1, store.Misses);
        Assert.Equal(0, store.Corrupt);
        Assert.False(Directory.Exists(_folder.Frames), "a read must not create the folder");
    }

    public enum Damage
    {
        PayloadByte,
        MagicByte,
        FingerprintByte,
        PayloadLengthByte,
        HeaderChecksumByte,
        Truncated,
        TruncatedInsideHeader,
        ZeroLength,
        OtherKeysEntry,
    }

    [Theory]
    [InlineData(Damage.PayloadByte, true)]
    [InlineData(Damage.PayloadByte, false)]
    [InlineData(Damage.MagicByte, false)]
    [InlineData(Damage.FingerprintByte, false)]
    [InlineData(Damage.PayloadLengthByte, false)]
    [InlineData(Damage.HeaderChecksumByte, false)]
    [InlineData(Damage.Truncated, false)]
    [InlineData(Damage.TruncatedInsideHeader, false)]
    [InlineData(Damage.ZeroLength, false)]
    [InlineData(Damage.OtherKeysEntry, false)]
    public void A_damaged_entry_is_detected_deleted_counted_and_missed_then_can_be_written_again(Damage damage, bool noise)
    {
        var key = TestFrames.Key(7);
        var frame = TestFrames.For(key, 256, 128, noise);
        var path = Store().PathFor(key);
        if (damage == Damage.OtherKeysEntry)
        {
            var other = TestFrames.Key(7, settings: 1);
            Assert.True(Store().Write(other, TestFrames.For(other, 256, 128, noise)));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(Store().PathFor(other), path);
        }
        else
        {
            Assert.True(Store().Write(key, frame));
            var bytes = File.ReadAllBytes(path);
            bytes = damage switch
            {
                Damage.PayloadByte => Flip(bytes, bytes.Length - 100),
                Damage.MagicByte => Flip(bytes, 2),
                Damage.FingerprintByte => Flip(bytes, 20),
                Damage.PayloadLengthByte => Flip(bytes, 121),
                Damage.HeaderChecksumByte => Flip(bytes, 140),
                Damage.Truncated => bytes[..^1],
                Damage.TruncatedInsideHeader => bytes[..100],
                Damage.ZeroLength => [],
                _ => throw new ArgumentOutOfRangeException(nameof(damage)),
            };
            File.WriteAllBytes(path, bytes);
        }

        var store = Store();
        Assert.False(store.TryRead(key, out var read));
        Assert.Null(read);
        Assert.Equal(1, store.Corrupt);
        Assert.Equal(1, store.Misses);
        Assert.False(File.Exists(path), "the damaged entry should be deleted");

        Assert.True(store.Write(key, frame));
        Assert.True(store.TryRead(key, out read));
        TestFrames.AssertSame(frame, read);
        Assert.Equal(1, store.Corrupt);
    }

    [Fact]
    public void The_folder_never_exceeds_the_budget_and_recently_read_entries_survive()
    {
        const int fits = 5;
        var store = Store(fits * TestFrames.NoiseEntryBytes);
        var favourite = TestFrames.Key(0);
        Assert.True(store.Write(favourite, TestFrames.For(favourite)));
        for (var frame = 1; frame <= 20; frame++)
        {
            var key = TestFrames.Key(frame);
            Assert.True(store.Write(key, TestFrames.For(key)));
            Assert.True(_folder.AllBytes() <= store.BudgetBytes, $"after frame {frame}: {_folder.AllBytes()} bytes on disk, budget {store.BudgetBytes}");
            Assert.True(store.TryRead(favourite, out _), $"the entry read after every write was evicted at frame {frame}");
        }

        Assert.Equal(fits, _folder.EntryFiles().Count);
        var survivors = Enumerable.Range(0, 21).Where(f => File.Exists(store.PathFor(TestFrames.Key(f)))).ToList();
        Assert.Equal([0, 17, 18, 19, 20], survivors);
        Assert.Equal(20 - (fits - 1), store.Evictions);
    }

    [Fact]
    public void Least_recently_used_goes_first_also_across_a_restart()
    {
        var store = Store(3 * TestFrames.NoiseEntryBytes);
        foreach (var frame in new[] { 1, 2, 3 }) store.Write(TestFrames.Key(frame), TestFrames.For(TestFrames.Key(frame)));
        var restarted = Store(3 * TestFrames.NoiseEntryBytes);
        Assert.True(restarted.TryRead(TestFrames.Key(1), out _));
        restarted.Write(TestFrames.Key(4), TestFrames.For(TestFrames.Key(4)));
        Assert.True(File.Exists(restarted.PathFor(TestFrames.Key(1))));
        Assert.False(File.Exists(restarted.PathFor(TestFrames.Key(2))));
        Assert.True(File.Exists(restarted.PathFor(TestFrames.Key(3))));
    }

    [Fact]
    public void An_entry_larger_than_the_whole_budget_is_not_written()
    {
        var store = Store(TestFrames.NoiseEntryBytes - 1);
        Assert.False(store.Write(TestFrames.Key(1), TestFrames.For(TestFrames.Key(1))));
        Assert.Empty(_folder.EntryFiles());
        Assert.Equal(0, store.Writes);
        Assert.False(Store(0).Write(TestFrames.Key(1), TestFrames.For(TestFrames.Key(1))));
    }

    [Fact]
    public void Writes_of_another_instance_count_towards_the_budget()
    {
        var budget = 4 * TestFrames.NoiseEntryBytes;
        var first = Store(budget);
        var second = Store(budget);
        first.Write(TestFrames.Key(1), TestFrames.For(TestFrames.Key(1)));
        for (var frame = 2; frame <= 6; frame++) second.Write(TestFrames.Key(frame), TestFrames.For(TestFrames.Key(frame)));
        first.Write(TestFrames.Key(7), TestFrames.For(TestFrames.Key(7)));
        Assert.True(_folder.EntryBytes() <= budget);
        Assert.Equal(4, first.Stats().Entries);
    }

    [Fact]
    public void Entries_for_a_frame_lists_every_settings_of_that_frame_only()
    {
        var store = Store();
        var keys = new[] { TestFrames.Key(5, 0), TestFrames.Key(5, 1), TestFrames.Key(5, 2), TestFrames.Key(6, 0), TestFrames.Key(5, 0, "otherclip") };
        foreach (var key in keys) store.Write(key, TestFrames.For(key, 16, 16));
        Assert.Equal(keys[..3].OrderBy(k => k.Hash), store.EntriesFor(TestFrames.Fingerprint, 5).OrderBy(k => k.Hash));
        Assert.Equal([keys[4]], Store().EntriesFor("otherclip", 5));
        Assert.Empty(store.EntriesFor(TestFrames.Fingerprint, 99));
        Assert.Empty(store.EntriesFor("../escape", 5));
    }

    [Fact]
    public void Stats_count_per_fingerprint_and_clear_removes_everything()
    {
        var store = Store();
        for (var frame = 0; frame < 3; frame++) store.Write(TestFrames.Key(frame), TestFrames.For(TestFrames.Key(frame), 16, 16));
        store.Write(TestFrames.Key(0, 0, "second"), TestFrames.For(TestFrames.Key(0, 0, "second"), 16, 16));

        var stats = Store().Stats();
        Assert.Equal(4, stats.Entries);
        Assert.Equal(_folder.EntryBytes(), stats.Bytes);
        Assert.Equal(3, stats.PerFingerprint[TestFrames.Fingerprint].Entries);
        Assert.Equal(1, stats.PerFingerprint["second"].Entries);

        var removed = Store().Clear();
        Assert.Equal(4, removed.Count);
        Assert.Equal(stats.Bytes, removed.Bytes);
        Assert.False(Directory.Exists(_folder.Frames));
        Assert.Equal(0, Store().Stats().Entries);
        Assert.False(store.TryRead(TestFrames.Key(0), out _));
        Assert.True(store.Write(TestFrames.Key(0), TestFrames.For(TestFrames.Key(0), 16, 16)), "the store should work again after a clear");
    }

    [Fact]
    public void A_scan_removes_stale_temporary_files_and_keeps_fresh_ones()
    {
        var store = Store();
        store.Write(TestFrames.Key(1), TestFrames.For(TestFrames.Key(1), 16, 16));
        var folder = Path.Combine(_folder.Frames, TestFrames.Fingerprint);
        var stale = Path.Combine(folder, "0000001-x.dfc.tmp-1-dead");
        var fresh = Path.Combine(folder, "0000002-x.dfc.tmp-1-beef");
        File.WriteAllBytes(stale, new byte[100]);
        File.WriteAllBytes(fresh, new byte[100]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - DiskFrameStore.StaleTemporaryAge - TimeSpan.FromMinutes(1));

        var stats = Store().Stats();
        Assert.Equal(1, stats.Entries);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../up")]
    [InlineData("a/b")]
    [InlineData("a.b")]
    [InlineData("space here")]
    [InlineData("ünïcode")]
    public void A_fingerprint_that_is_not_a_safe_folder_name_is_refused(string fingerprint)
    {
        Assert.Throws<ArgumentException>(() => new FrameCacheKey(fingerprint, 0, 1));
    }

    [Fact]
    public void Fingerprints_and_frames_outside_the_rules_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new FrameCacheKey(new string('a', 65), 0, 1));
        Assert.Throws<ArgumentException>(() => new FrameCacheKey(null!, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameCacheKey("abc", -1, 1));
        Assert.Equal(64, new FrameCacheKey(new string('a', 64), 0, 1).Fingerprint.Length);
        Assert.Throws<ArgumentException>(() => Store().TryRead(default, out _));
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        bytes[index] ^= 0x5A;
        return bytes;
    }
}
