using System.Collections.Concurrent;
using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Tests.Serve.Caching;

/// <summary>
/// Several writers on one folder: threads sharing an instance, and instances of their own, which is how separate
/// processes meet (each has its own index and sees the others only through the folder).
/// </summary>
public sealed class DiskFrameStoreConcurrencyTests : IDisposable
{
    private readonly TemporaryCacheFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Threads_sharing_one_store_keep_it_sound_and_within_budget()
    {
        var budget = 6 * TestFrames.NoiseEntryBytes;
        var store = new DiskFrameStore(_folder.Frames, budget);
        var errors = Hammer(writers: 4, writesEach: 25, budget, _ => store, out var checkedReads);

        Assert.Empty(errors);
        Assert.True(_folder.EntryBytes() <= budget, $"{_folder.EntryBytes()} bytes, budget {budget}");
        AssertEveryEntrySound(store);
        Assert.Equal(0, store.Corrupt);
        Assert.True(checkedReads > 0, "the readers never found an entry to check");
    }

    [Fact]
    public void Separate_instances_on_one_folder_stay_sound_and_within_budget_plus_one_entry_per_other_writer()
    {
        const int writers = 3;
        var budget = 6 * TestFrames.NoiseEntryBytes;
        var stores = new ConcurrentBag<DiskFrameStore>();
        var errors = Hammer(writers, writesEach: 25, budget, _ =>
        {
            var own = new DiskFrameStore(_folder.Frames, budget);
            stores.Add(own);
            return own;
        }, out var checkedReads);

        Assert.Empty(errors);
        var allowed = budget + (writers - 1) * TestFrames.NoiseEntryBytes;
        Assert.True(_folder.EntryBytes() <= allowed, $"{_folder.EntryBytes()} bytes, allowed {allowed}");
        AssertEveryEntrySound(new DiskFrameStore(_folder.Frames, budget));
        Assert.All(stores, s => Assert.Equal(0, s.Corrupt));
        Assert.True(checkedReads > 0, "the readers never found an entry to check");
    }

    [Fact]
    public void Two_instances_writing_the_same_entry_at_once_leave_one_whole_file()
    {
        var key = TestFrames.Key(3);
        var frame = TestFrames.For(key, 1024, 512, noise: false);
        var stores = Enumerable.Range(0, 4).Select(_ => new DiskFrameStore(_folder.Frames, 1L << 30)).ToArray();
        Parallel.For(0, 40, i => Assert.True(stores[i % stores.Length].Write(key, frame)));

        Assert.Single(Directory.GetFiles(Path.Combine(_folder.Frames, key.Fingerprint)));
        Assert.True(new DiskFrameStore(_folder.Frames, 1L << 30).TryRead(key, out var read));
        TestFrames.AssertSame(frame, read);
    }

    /// <summary>
    /// <paramref name="writers"/> tasks write a mix of shared keys (frames 0..7, every writer) and keys of their own,
    /// each with the store <paramref name="storeFor"/> gives it, while two readers read all those keys and check every
    /// hit against its key. Returns what went wrong.
    /// </summary>
    private static List<string> Hammer(int writers, int writesEach, long budget, Func<int, DiskFrameStore> storeFor, out long checkedReads)
    {
        var errors = new ConcurrentQueue<string>();
        var done = 0;
        var reads = 0L;
        var allKeys = Enumerable.Range(0, 8).Select(f => TestFrames.Key(f))
            .Concat(Enumerable.Range(0, writers).SelectMany(w => Enumerable.Range(0, writesEach).Select(i => TestFrames.Key(100 + i, settings: w + 1))))
            .ToArray();
        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Factory.StartNew(() =>
        {
            try
            {
                var store = storeFor(w);
                for (var i = 0; i < writesEach; i++)
                {
                    var key = i % 2 == 0 ? TestFrames.Key(i % 8) : TestFrames.Key(100 + i, settings: w + 1);
                    store.Write(key, TestFrames.For(key));
                }
            }
            catch (Exception e)
            {
                errors.Enqueue($"writer {w}: {e}");
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        var readerTasks = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            try
            {
                var store = storeFor(writers + r);
                var random = new Random(r);
                while (Volatile.Read(ref done) == 0)
                {
                    var key = allKeys[random.Next(allKeys.Length)];
                    if (!store.TryRead(key, out var frame)) continue;
                    var expected = TestFrames.For(key);
                    if (!expected.Pixels.AsSpan().SequenceEqual(frame.Pixels) || expected.Faces != frame.Faces)
                        errors.Enqueue($"reader {r}: wrong pixels for {key}");
                    Interlocked.Increment(ref reads);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue($"reader {r}: {e}");
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        Task.WaitAll(writerTasks);
        Volatile.Write(ref done, 1);
        Task.WaitAll(readerTasks);
        checkedReads = reads;
        return [.. errors];
    }

    private static void AssertEveryEntrySound(DiskFrameStore store)
    {
        var stats = store.Stats();
        Assert.True(stats.Entries > 0);
        foreach (var file in Directory.GetFiles(store.Directory, "*", SearchOption.AllDirectories))
            Assert.EndsWith(DiskFrameStore.EntryExtension, file); // no temporary file left behind
        var sound = 0;
        foreach (var fingerprint in stats.PerFingerprint.Keys)
            foreach (var frame in Enumerable.Range(0, 200))
                foreach (var key in store.EntriesFor(fingerprint, frame))
                {
                    Assert.True(store.TryRead(key, out var read), $"{key} does not read back");
                    TestFrames.AssertSame(TestFrames.For(key), read);
                    sound++;
                }
        Assert.Equal(stats.Entries, sound);
    }
}
