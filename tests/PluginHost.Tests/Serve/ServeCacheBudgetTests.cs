using Deid.Effect.Tests;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Serve;

/// <summary>
/// `deid serve` rendering more frames than its disk budget holds: the frame cache folder never grows past the budget,
/// and what was pushed out is rendered again rather than lost or shown wrong.
/// </summary>
public sealed class ServeCacheBudgetTests
{
    private const int BudgetMegabytes = 3;

    [Fact]
    public void The_disk_cache_stays_within_its_budget_while_rendering_more_than_fits()
    {
        using var serve = new ServeProcess(environment: new Dictionary<string, string>
        {
            ["DEID_DISK_CACHE_MB"] = BudgetMegabytes.ToString(),
            ["DEID_FRAME_CACHE_MB"] = "1",
        });
        using var client = serve.Connect();
        Assert.Equal("welcome", client.Request(new() { ["type"] = "hello", ["protocol"] = 1, ["client"] = "test" })["type"]);
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        using var frame = new Mat();
        Cv2.Resize(photo, frame, new Size(480, 360));
        var slot = Path.Combine(serve.Directory, "slot-budget.shm");
        var frames = Path.Combine(serve.Directory, "cache", "frames");
        var random = new Random(7);
        var rendered = new List<byte[]>();
        var inputs = new List<byte[]>();
        long largest = 0;
        for (var i = 0; i < 16; i++)
        {
            // Each frame differs (grain), so each is a new entry, and grain keeps LZ4 from shrinking it much.
            var input = Grainy(frame, random);
            inputs.Add(input);
            File.WriteAllBytes(slot, input);
            var reply = client.Request(Request(slot, i));
            Assert.Equal("rendered", reply["type"]);
            rendered.Add(File.ReadAllBytes(slot));
            Assert.Equal("stats", client.Request(new() { ["type"] = "stats", ["flush"] = true })["type"]);
            var bytes = Directory.Exists(frames)
                ? Directory.EnumerateFiles(frames, "*.dfc", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
            largest = Math.Max(largest, bytes);
            Assert.True(bytes <= BudgetMegabytes << 20, $"after frame {i} the frame cache holds {bytes} bytes, over its {BudgetMegabytes} MiB budget");
        }
        var stats = client.Request(new() { ["type"] = "stats", ["flush"] = true });
        Assert.True(Convert.ToInt64(stats["diskWrites"]) >= 4, $"only {stats["diskWrites"]} frames reached the disk");
        Assert.True(Convert.ToInt64(stats["evictions"]) > 0, "nothing was evicted: the test did not render more than fits");
        Assert.True(largest > (BudgetMegabytes << 20) / 2, $"the folder never filled ({largest} bytes)");

        // The first frame was pushed out of both tiers: asking again renders it again, the same.
        File.WriteAllBytes(slot, inputs[0]);
        var again = client.Request(Request(slot, 0));
        Assert.False((bool)again["cached"]);
        Assert.Equal(rendered[0], File.ReadAllBytes(slot));
    }

    private static Dictionary<string, object> Request(string slot, int frame) => new()
    {
        ["type"] = "render", ["session"] = "budget", ["clip"] = "photo", ["frame"] = frame, ["slot"] = slot,
        ["width"] = 480, ["height"] = 360, ["depth"] = "byte", ["method"] = "blur", ["strength"] = 1.0,
        ["maskScale"] = 1.0, ["feather"] = 0.25, ["threshold"] = 0.5, ["policy"] = "anonymize-everyone",
        ["identities"] = new Dictionary<string, object>(), ["showBoxes"] = false, ["analysis"] = "",
        ["fingerprint"] = "budgettest",
    };

    private static byte[] Grainy(Mat bgr, Random random)
    {
        int width = bgr.Width, height = bgr.Height;
        var bytes = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            var row = height - 1 - y;
            for (var x = 0; x < width; x++)
            {
                var p = bgr.At<Vec3b>(y, x);
                var o = (row * width + x) * 4;
                bytes[o] = (byte)Math.Clamp(p.Item2 + random.Next(-12, 13), 0, 255);
                bytes[o + 1] = (byte)Math.Clamp(p.Item1 + random.Next(-12, 13), 0, 255);
                bytes[o + 2] = (byte)Math.Clamp(p.Item0 + random.Next(-12, 13), 0, 255);
                bytes[o + 3] = 255;
            }
        }
        return bytes;
    }
}
