using System.Diagnostics;
using System.IO.Hashing;
using Deid.PluginHost.Serve.Caching;
using Deid.PluginHost.Video;
using K4os.Compression.LZ4;

namespace Deid.PluginHost.Bench;

/// <summary>
/// `deid bench cache`: what showing a cached frame again costs, per tier, for a 1920x1080 RGBA 8-bit frame decoded
/// from a real clip (the content decides how well LZ4 does, so synthetic frames would flatter or slander it).
/// Medians over the runs; the disk figures are with the file in the operating system's page cache, which is the
/// common case while scrubbing.
/// </summary>
public static class CacheBenchmark
{
    public const int Width = 1920;
    public const int Height = 1080;

    public static void Run(FfmpegTools tools, string clip, int runs, string directory, TextWriter output)
    {
        var pixels = DecodeFrame(tools, clip);
        var frame = new CachedFrame(pixels, faces: 2, Width, Height, "byte");
        var bound = LZ4Codec.MaximumOutputSize(pixels.Length);
        var compressed = new byte[bound];
        var restored = new byte[pixels.Length];
        var compressedLength = 0;

        var compress = Time(runs, () => compressedLength = LZ4Codec.Encode(pixels, compressed, LZ4Level.L00_FAST));
        var decompress = Time(runs, () => LZ4Codec.Decode(compressed.AsSpan(0, compressedLength), restored));
        var checksum = Time(runs, () => XxHash3.HashToUInt64(pixels));

        var settings = new CacheSettings(directory, 1L << 30, 8L << 30);
        var store = DiskFrameStore.For(settings);
        var frameIndex = 0;
        var write = Time(runs, () => store.Write(new FrameCacheKey("bench", frameIndex++, 1), frame));
        var entryBytes = new FileInfo(store.PathFor(new FrameCacheKey("bench", 0, 1))).Length;
        var readIndex = 0;
        var diskHit = Time(runs, () =>
        {
            if (!store.TryRead(new FrameCacheKey("bench", readIndex++ % frameIndex, 1), out _)) throw new InvalidOperationException("a benchmark entry did not read back");
        });
        var scan = Time(runs, () => store.Stats());

        using var cache = new TieredFrameCache(settings with { DiskBudgetBytes = 0 });
        var key = new FrameCacheKey("bench", 0, 2);
        cache.Add(key, frame);
        var target = new byte[pixels.Length];
        var memoryHit = Time(runs, () =>
        {
            if (!cache.TryGet(key, out var hit, out _)) throw new InvalidOperationException("the benchmark frame left memory");
            hit.Pixels.CopyTo(target, 0);
        });

        output.WriteLine($"deid bench cache: {Width}x{Height} RGBA 8-bit ({pixels.Length / 1e6:0.0} MB) from {Path.GetFileName(clip)}, {Environment.ProcessorCount} cores, median of {runs}");
        output.WriteLine();
        output.WriteLine("| step | ms |");
        output.WriteLine("|---|---|");
        output.WriteLine($"| memory hit (lookup + copy into the host's buffer) | {memoryHit:0.00} |");
        output.WriteLine($"| disk hit (open, read, validate, decompress, checksum) | {diskHit:0.00} |");
        output.WriteLine($"| disk write (compress, checksum, rescan, write, rename) | {write:0.00} |");
        output.WriteLine($"| of which LZ4 fast compress | {compress:0.00} |");
        output.WriteLine($"| of which LZ4 decompress | {decompress:0.00} |");
        output.WriteLine($"| of which XxHash3-64 of the pixels | {checksum:0.00} |");
        output.WriteLine($"| folder rescan ({store.Stats().Entries} entries) | {scan:0.00} |");
        output.WriteLine();
        output.WriteLine($"entry on disk: {entryBytes / 1e6:0.00} MB, {entryBytes * 100.0 / pixels.Length:0}% of the raw frame");
    }

    /// <summary>The clip's middle frame, scaled to 1080p RGBA by ffmpeg.</summary>
    private static byte[] DecodeFrame(FfmpegTools tools, string clip)
    {
        var start = new ProcessStartInfo(tools.FfmpegPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-nostdin", "-v", "error", "-ss", "2", "-i", clip, "-frames:v", "1",
            "-vf", $"scale={Width}:{Height},format=rgba", "-f", "rawvideo", "-",
        })
        {
            start.ArgumentList.Add(argument);
        }
        using var ffmpeg = Process.Start(start) ?? throw new VideoException("cannot start ffmpeg");
        var errors = ffmpeg.StandardError.ReadToEndAsync();
        using var pixels = new MemoryStream();
        ffmpeg.StandardOutput.BaseStream.CopyTo(pixels);
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0 || pixels.Length != Width * Height * 4)
            throw new VideoException($"cannot decode a frame of {clip}: {errors.Result.Trim()}");
        return pixels.ToArray();
    }

    private static double Time(int runs, Action step)
    {
        step(); // warm up: first-call costs are not what a scrubbing editor pays
        var times = new double[runs];
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            step();
            times[run] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }
}
