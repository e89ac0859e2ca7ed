using System.Text.Json;
using Deid.PluginHost.Serve.Caching;
using Deid.PluginHost.Tests.Cli;

namespace Deid.PluginHost.Tests.Serve.Caching;

/// <summary>`deid cache stats|clear`, run as a user would, on a folder of the test's own.</summary>
public sealed class CacheCommandTests : IDisposable
{
    private readonly TemporaryCacheFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Missing => Path.Combine(_folder.Path, "not-yet");

    private void Fill()
    {
        var store = new DiskFrameStore(_folder.Frames, 1L << 30);
        for (var frame = 0; frame < 3; frame++) store.Write(TestFrames.Key(frame), TestFrames.For(TestFrames.Key(frame), 32, 32));
        store.Write(TestFrames.Key(0, 0, "otherclip"), TestFrames.For(TestFrames.Key(0, 0, "otherclip"), 32, 32));
        Directory.CreateDirectory(Path.Combine(_folder.Path, "analyses"));
        File.WriteAllBytes(Path.Combine(_folder.Path, "analyses", TestFrames.Fingerprint + ".deid"), new byte[1000]);
    }

    [Fact]
    public void Stats_on_a_folder_that_does_not_exist_reports_nothing_and_creates_nothing()
    {
        var run = DeidCli.Run(["cache", "stats", "--dir", Missing]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("frames: 0 entries", run.StandardOutput);
        Assert.Contains("saved analyses: 0", run.StandardOutput);
        Assert.False(Directory.Exists(Missing));
    }

    [Fact]
    public void Stats_show_frames_budget_analyses_and_clips()
    {
        Fill();
        var run = DeidCli.Run(["cache", "stats", "--dir", _folder.Path], new Dictionary<string, string> { ["DEID_DISK_CACHE_MB"] = "64" });
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(_folder.Path, run.StandardOutput);
        Assert.Contains("frames: 4 entries", run.StandardOutput);
        Assert.Contains("of 64.0 MiB budget", run.StandardOutput);
        Assert.Contains("saved analyses: 1, 1000 bytes", run.StandardOutput);
        Assert.Contains($"{TestFrames.Fingerprint}  3 frames", run.StandardOutput);
        Assert.Contains("otherclip  1 frames", run.StandardOutput);
    }

    [Fact]
    public void Stats_as_json()
    {
        Fill();
        var run = DeidCli.Run(["cache", "stats", "--json", "--dir", _folder.Path]);
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.StandardOutput);
        var root = json.RootElement;
        Assert.Equal(_folder.Path, root.GetProperty("directory").GetString());
        Assert.Equal(4, root.GetProperty("frames").GetProperty("entries").GetInt32());
        Assert.Equal(_folder.EntryBytes(), root.GetProperty("frames").GetProperty("bytes").GetInt64());
        Assert.Equal(1, root.GetProperty("analyses").GetProperty("count").GetInt32());
        var clips = root.GetProperty("clips").EnumerateArray().ToDictionary(c => c.GetProperty("fingerprint").GetString()!, c => c.GetProperty("entries").GetInt32());
        Assert.Equal(new Dictionary<string, int> { [TestFrames.Fingerprint] = 3, ["otherclip"] = 1 }, clips);
    }

    [Fact]
    public void Clear_frames_only_keeps_the_analyses_and_clear_removes_both()
    {
        Fill();
        var framesOnly = DeidCli.Run(["cache", "clear", "--frames-only", "--dir", _folder.Path]);
        Assert.Equal(0, framesOnly.ExitCode);
        Assert.Contains("removed 4 frames", framesOnly.StandardOutput);
        Assert.Empty(_folder.EntryFiles());
        Assert.True(File.Exists(Path.Combine(_folder.Path, "analyses", TestFrames.Fingerprint + ".deid")));

        var all = DeidCli.Run(["cache", "clear", "--dir", _folder.Path]);
        Assert.Equal(0, all.ExitCode);
        Assert.Contains("removed 0 frames (0 bytes) and 1 saved analyses (1000 bytes)", all.StandardOutput);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "analyses")));
    }

    [Fact]
    public void Clear_on_a_folder_that_does_not_exist_succeeds()
    {
        var run = DeidCli.Run(["cache", "clear", "--dir", Missing]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("removed 0 frames", run.StandardOutput);
    }

    [Fact]
    public void The_folder_comes_from_DEID_CACHE_DIR_and_a_bad_budget_is_one_clear_error()
    {
        Fill();
        var fromEnvironment = DeidCli.Run(["cache", "stats"], new Dictionary<string, string> { ["DEID_CACHE_DIR"] = _folder.Path });
        Assert.Contains("frames: 4 entries", fromEnvironment.StandardOutput);

        var bad = DeidCli.Run(["cache", "stats", "--dir", _folder.Path], new Dictionary<string, string> { ["DEID_DISK_CACHE_MB"] = "plenty" });
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("deid: error: DEID_DISK_CACHE_MB must be a whole number of MiB from 0 (0 turns that cache off), not 'plenty'", bad.StandardError.Trim());
    }
}
