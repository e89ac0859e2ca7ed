using System.Buffers;
using System.Globalization;
using System.IO.Enumeration;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using Microsoft.Win32.SafeHandles;

namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// Rendered frames on disk, one file per entry: <c>&lt;fingerprint&gt;/&lt;frame:D7&gt;-&lt;hash:x32&gt;.dfc</c>
/// under <see cref="Directory"/>, a <see cref="DiskEntryHeader"/> then the LZ4-compressed pixels. Shared safely by
/// threads, by several instances and by several processes on the same folder:
/// <list type="bullet">
/// <item>An entry appears only by an atomic rename of a complete temporary file from the same folder, so a reader sees
/// the old entry, the new one or none, never a partial one, and two writers of the same entry leave one whole file.</item>
/// <item>Every read checks the whole entry (header checksum, key, lengths against the file size, decompressed length,
/// pixel checksum). A damaged entry is deleted, counted in <see cref="Corrupt"/> and reported as a miss.</item>
/// <item>Budget: entry bytes (the <c>.dfc</c> files) under <see cref="Directory"/> never exceed
/// <see cref="BudgetBytes"/> with one writing process. Before each write the writer rescans the folder, then deletes
/// least recently used entries (last access = file last-write time, which a hit refreshes) until its entry fits. With
/// N writers at once, each can only miss the entries the others land between its scan and its rename, so the total
/// stays within the budget plus (N − 1) entries: budget + one entry for two writers. Writes within one instance are
/// serialised, so threads sharing an instance count as one writer. An entry larger than the whole budget is not
/// written. Temporary files in flight are not counted; stale ones (older than <see cref="StaleTemporaryAge"/>, left by
/// a crashed writer) are deleted by the scans.</item>
/// </list>
/// Deleting a damaged or evicted entry is best effort: on Windows a file another process is reading cannot always be
/// deleted, and then it is left for a later pass.
/// </summary>
public sealed class DiskFrameStore
{
    public const string EntryExtension = ".dfc";

    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromMinutes(5);

    /// <summary>How old the size index may get before <see cref="EntriesFor"/> rescans (writes always rescan).</summary>
    public static readonly TimeSpan IndexMaxAge = TimeSpan.FromSeconds(2);

    private const string TemporaryMarker = ".tmp-";

    private readonly Lock _writeGate = new();
    private readonly Lock _indexGate = new();
    private Dictionary<FrameCacheKey, IndexedEntry> _index = [];
    private long _indexedBytes;
    private long _indexedAt = long.MinValue / 2; // never, and far enough from the edge that subtracting it cannot overflow
    private long _hits;
    private long _misses;
    private long _corrupt;
    private long _writes;
    private long _evictions;

    public DiskFrameStore(string directory, long budgetBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        Directory = Path.GetFullPath(directory);
        BudgetBytes = budgetBytes;
    }

    /// <summary>The store in <see cref="CacheSettings.FramesDirectory"/> with the settings' disk budget.</summary>
    public static DiskFrameStore For(CacheSettings settings) => new(settings.FramesDirectory, settings.DiskBudgetBytes);

    /// <summary>The frames folder; it is created by the first write, not before.</summary>
    public string Directory { get; }

    public long BudgetBytes { get; }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Damaged or mismatched entries found (and deleted) by reads.</summary>
    public long Corrupt => Interlocked.Read(ref _corrupt);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Entries this instance deleted to keep within the budget.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    public string PathFor(FrameCacheKey key)
    {
        RequireValid(key);
        return Path.Combine(Directory, key.Fingerprint, $"{key.Frame:D7}-{key.Hash:x32}{EntryExtension}");
    }

    /// <summary>
    /// The entry under <paramref name="key"/>, checked end to end. A hit refreshes its last access. Anything damaged
    /// is deleted and counted in <see cref="Corrupt"/>; unreadable or missing is a miss.
    /// </summary>
    public bool TryRead(FrameCacheKey key, out CachedFrame frame)
    {
        var path = PathFor(key);
        frame = null!;
        string? problem;
        long fileLength;
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            fileLength = RandomAccess.GetLength(file);
            problem = ReadEntry(file, fileLength, key, out frame);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            Forget(key);
            Interlocked.Increment(ref _misses);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Locked or unreadable right now: not proof of damage, so the entry stays.
            Interlocked.Increment(ref _misses);
            return false;
        }

        if (problem is not null)
        {
            frame = null!;
            Interlocked.Increment(ref _corrupt);
            Interlocked.Increment(ref _misses);
            TryDelete(path);
            Forget(key);
            return false;
        }

        var now = DateTime.UtcNow;
        try { File.SetLastWriteTimeUtc(path, now); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* evicted meanwhile, or read-only: the entry was still sound */ }
        Remember(key, fileLength, now);
        Interlocked.Increment(ref _hits);
        return true;
    }

    /// <summary>
    /// Stores <paramref name="frame"/> under <paramref name="key"/>, replacing any entry there, after evicting least
    /// recently used entries until it fits the budget. Returns false when it was not written: the entry alone is larger
    /// than the budget, or not enough could be evicted (files held open elsewhere). I/O failures (disk full,
    /// permissions) are thrown; nothing partial is left behind.
    /// </summary>
    public bool Write(FrameCacheKey key, CachedFrame frame)
    {
        var path = PathFor(key);
        ArgumentNullException.ThrowIfNull(frame);
        var pixels = frame.Pixels;
        if (BudgetBytes <= DiskEntryHeader.Size) return false;

        var bound = LZ4Codec.MaximumOutputSize(pixels.Length);
        var compressed = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            // Compression is the costly part, so it runs before taking the write gate.
            var encoded = LZ4Codec.Encode(pixels, compressed.AsSpan(0, bound), LZ4Level.L00_FAST);
            var useLz4 = encoded > 0 && encoded < pixels.Length;
            ReadOnlySpan<byte> payload = useLz4 ? compressed.AsSpan(0, encoded) : pixels;
            var header = new DiskEntryHeader(key, frame.Width, frame.Height, CachedPixelDepth.ToCode(frame.Depth), frame.Faces,
                useLz4 ? DiskPayloadEncoding.Lz4 : DiskPayloadEncoding.Raw, pixels.Length, payload.Length, XxHash3.HashToUInt64(pixels));
            Span<byte> headerBytes = stackalloc byte[DiskEntryHeader.Size];
            header.WriteTo(headerBytes);
            var entryBytes = DiskEntryHeader.Size + (long)payload.Length;
            if (entryBytes > BudgetBytes) return false;

            lock (_writeGate)
            {
                if (!MakeRoom(key, entryBytes)) return false;
                var written = WriteAtomically(path, headerBytes, payload);
                Remember(key, entryBytes, written);
            }
            Interlocked.Increment(ref _writes);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    /// <summary>The keys stored for one frame of one clip (any settings), for reading ahead.</summary>
    public IReadOnlyList<FrameCacheKey> EntriesFor(string fingerprint, int frame)
    {
        if (!FrameCacheKey.IsValidFingerprint(fingerprint) || frame < 0) return [];
        if (Environment.TickCount64 - Interlocked.Read(ref _indexedAt) > IndexMaxAge.TotalMilliseconds)
            lock (_writeGate) Rescan();
        lock (_indexGate)
            return [.. _index.Keys.Where(k => k.Frame == frame && k.Fingerprint == fingerprint)];
    }

    /// <summary>What the folder holds now (rescanned, so other processes' entries count).</summary>
    public DiskCacheStats Stats()
    {
        lock (_writeGate) Rescan();
        lock (_indexGate)
        {
            var perFingerprint = _index.GroupBy(e => e.Key.Fingerprint, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => new FingerprintUsage(g.Count(), g.Sum(e => e.Value.Bytes)), StringComparer.Ordinal);
            return new DiskCacheStats(Directory, _index.Count, _indexedBytes, BudgetBytes, perFingerprint);
        }
    }

    /// <summary>Deletes every entry (and temporary file) and the folders; returns the entries removed.</summary>
    public RemovedFiles Clear()
    {
        lock (_writeGate)
        {
            var count = 0;
            var bytes = 0L;
            foreach (var folder in FingerprintFolders())
            {
                foreach (var file in Files(folder))
                {
                    if (!TryDelete(file.Path)) continue;
                    if (ParseEntryName(Path.GetFileName(folder), file.Name) is not null)
                    {
                        count++;
                        bytes += file.Length;
                    }
                }
                TryDeleteFolder(folder);
            }
            TryDeleteFolder(Directory);
            lock (_indexGate)
            {
                _index = [];
                _indexedBytes = 0;
                Interlocked.Exchange(ref _indexedAt, Environment.TickCount64);
            }
            return new RemovedFiles(count, bytes);
        }
    }

    /// <summary>Deletes the entries of one clip (its fingerprint's folder); the others stay.</summary>
    public RemovedFiles ClearClip(string fingerprint)
    {
        if (!FrameCacheKey.IsValidFingerprint(fingerprint)) throw new ArgumentException($"'{fingerprint}' is not a clip fingerprint", nameof(fingerprint));
        lock (_writeGate)
        {
            var folder = Path.Combine(Directory, fingerprint);
            var count = 0;
            var bytes = 0L;
            if (System.IO.Directory.Exists(folder))
            {
                foreach (var file in Files(folder))
                {
                    if (!TryDelete(file.Path)) continue;
                    if (ParseEntryName(fingerprint, file.Name) is not null)
                    {
                        count++;
                        bytes += file.Length;
                    }
                }
                TryDeleteFolder(folder);
            }
            Rescan();
            return new RemovedFiles(count, bytes);
        }
    }

    private string? ReadEntry(SafeFileHandle file, long fileLength, FrameCacheKey key, out CachedFrame frame)
    {
        frame = null!;
        Span<byte> headerBytes = stackalloc byte[DiskEntryHeader.Size];
        if (fileLength < DiskEntryHeader.Size || !ReadExactly(file, headerBytes, 0)) return "shorter than a header";
        if (DiskEntryHeader.TryRead(headerBytes, out var header) is { } problem) return problem;
        if (header.Key != key) return $"holds {header.Key}, not {key}";
        if (DiskEntryHeader.Size + header.PayloadLength != fileLength) return "file length differs from the header";

        var pixels = GC.AllocateUninitializedArray<byte>((int)header.RawLength);
        if (header.PayloadEncoding == DiskPayloadEncoding.Raw)
        {
            if (!ReadExactly(file, pixels, DiskEntryHeader.Size)) return "truncated payload";
        }
        else
        {
            if (header.PayloadLength > Array.MaxLength) return "impossible payload length";
            var payload = ArrayPool<byte>.Shared.Rent((int)header.PayloadLength);
            try
            {
                var source = payload.AsSpan(0, (int)header.PayloadLength);
                if (!ReadExactly(file, source, DiskEntryHeader.Size)) return "truncated payload";
                if (LZ4Codec.Decode(source, pixels) != pixels.Length) return "payload does not decompress to the pixel length";
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(payload);
            }
        }
        if (XxHash3.HashToUInt64(pixels) != header.PixelChecksum) return "pixel checksum mismatch";
        frame = new CachedFrame(pixels, header.Faces, header.Width, header.Height, CachedPixelDepth.FromCode(header.DepthCode)!);
        return null;
    }

    private static bool ReadExactly(SafeFileHandle file, Span<byte> target, long offset)
    {
        while (!target.IsEmpty)
        {
            var read = RandomAccess.Read(file, target, offset);
            if (read <= 0) return false;
            target = target[read..];
            offset += read;
        }
        return true;
    }

    /// <summary>Writes a temporary file beside <paramref name="path"/> and renames it over; returns its last-write time.</summary>
    private static DateTime WriteAtomically(string path, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temporary = $"{path}{TemporaryMarker}{Environment.ProcessId}-{Random.Shared.NextInt64():x16}";
        var stamp = DateTime.UtcNow;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    System.IO.Directory.CreateDirectory(folder);
                    using var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, header.Length + payload.Length);
                    // RandomAccess writes go straight to the operating system: nothing is left in a buffer at the rename.
                    // No fsync: a file torn by a power cut fails its checksums and is then a miss, as a cache may be.
                    RandomAccess.Write(file, header, 0);
                    RandomAccess.Write(file, payload, header.Length);
                    // An explicit, precise stamp keeps the LRU order exact where file-system clocks are coarse.
                    File.SetLastWriteTimeUtc(file, stamp);
                    break;
                }
                catch (DirectoryNotFoundException) when (attempt < 3)
                {
                    // A concurrent clear removed the folder between creating it and creating the file.
                }
            }
            MoveOver(temporary, path);
            return stamp;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void MoveOver(string temporary, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                File.Move(temporary, path, overwrite: true);
                return;
            }
            catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && attempt < 5 && OperatingSystem.IsWindows())
            {
                // Windows refuses to replace a file another process has open without delete sharing; it is brief.
                Thread.Sleep(10 << attempt);
            }
        }
    }

    /// <summary>
    /// Rescans, then evicts least recently used entries (never <paramref name="incoming"/>, which the write replaces)
    /// until <paramref name="entryBytes"/> more fit. Called under the write gate.
    /// </summary>
    private bool MakeRoom(FrameCacheKey incoming, long entryBytes)
    {
        Rescan();
        List<KeyValuePair<FrameCacheKey, IndexedEntry>> byAge;
        long total;
        lock (_indexGate)
        {
            total = _indexedBytes - (_index.TryGetValue(incoming, out var replaced) ? replaced.Bytes : 0);
            if (total + entryBytes <= BudgetBytes) return true;
            byAge = [.. _index.Where(e => e.Key != incoming).OrderBy(e => e.Value.LastUsedUtc)];
        }
        foreach (var (key, entry) in byAge)
        {
            if (total + entryBytes <= BudgetBytes) break;
            if (!TryDelete(PathFor(key))) continue;
            Forget(key);
            total -= entry.Bytes;
            Interlocked.Increment(ref _evictions);
        }
        return total + entryBytes <= BudgetBytes;
    }

    /// <summary>Rebuilds the size index from the folder and deletes stale temporary files. Called under the write gate.</summary>
    private void Rescan()
    {
        var index = new Dictionary<FrameCacheKey, IndexedEntry>();
        var bytes = 0L;
        var staleBefore = DateTime.UtcNow - StaleTemporaryAge;
        foreach (var folder in FingerprintFolders())
        {
            var fingerprint = Path.GetFileName(folder);
            foreach (var file in Files(folder))
            {
                if (ParseEntryName(fingerprint, file.Name) is { } key)
                {
                    index[key] = new IndexedEntry(file.Length, file.LastWriteUtc);
                    bytes += file.Length;
                }
                else if (file.Name.Contains(TemporaryMarker, StringComparison.Ordinal) && file.LastWriteUtc < staleBefore)
                {
                    TryDelete(file.Path);
                }
            }
        }
        lock (_indexGate)
        {
            _index = index;
            _indexedBytes = bytes;
            Interlocked.Exchange(ref _indexedAt, Environment.TickCount64);
        }
    }

    private IEnumerable<string> FingerprintFolders()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        try
        {
            return [.. System.IO.Directory.EnumerateDirectories(Directory).Where(d => FrameCacheKey.IsValidFingerprint(Path.GetFileName(d)))];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private static List<FolderFile> Files(string folder)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false };
        var files = new FileSystemEnumerable<FolderFile?>(folder, static (ref FileSystemEntry entry) =>
        {
            try
            {
                return new FolderFile(entry.ToFullPath(), entry.FileName.ToString(), entry.Length, entry.LastWriteTimeUtc.UtcDateTime);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null; // deleted or renamed while listing
            }
        }, options)
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) => !entry.IsDirectory,
        };
        try
        {
            return [.. files.OfType<FolderFile>()];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>The key an entry file name stands for, or null for anything else (temporary or foreign files).</summary>
    private static FrameCacheKey? ParseEntryName(string fingerprint, string name)
    {
        if (!name.EndsWith(EntryExtension, StringComparison.Ordinal) || !FrameCacheKey.IsValidFingerprint(fingerprint)) return null;
        var stem = name.AsSpan(0, name.Length - EntryExtension.Length);
        var dash = stem.IndexOf('-');
        if (dash < 1 || stem.Length - dash - 1 != 32) return null;
        if (!int.TryParse(stem[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var frame)) return null;
        if (!UInt128.TryParse(stem[(dash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hash)) return null;
        return new FrameCacheKey(fingerprint, frame, hash);
    }

    private void Remember(FrameCacheKey key, long bytes, DateTime lastUsedUtc)
    {
        lock (_indexGate)
        {
            _indexedBytes += bytes - (_index.TryGetValue(key, out var old) ? old.Bytes : 0);
            _index[key] = new IndexedEntry(bytes, lastUsedUtc);
        }
    }

    private void Forget(FrameCacheKey key)
    {
        lock (_indexGate)
            if (_index.Remove(key, out var old)) _indexedBytes -= old.Bytes;
    }

    /// <summary>Deletes a file; true when it is gone (including when it already was).</summary>
    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDeleteFolder(string folder)
    {
        try { System.IO.Directory.Delete(folder, recursive: false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* not empty (a writer is busy) or gone */ }
    }

    private static void RequireValid(FrameCacheKey key)
    {
        if (!key.IsValid) throw new ArgumentException("an uninitialised cache key", nameof(key));
    }

    private readonly record struct IndexedEntry(long Bytes, DateTime LastUsedUtc);

    private sealed record FolderFile(string Path, string Name, long Length, DateTime LastWriteUtc);
}
