using Deid.Effect.Detection;
using Deid.Effect.Inference;
using Deid.Effect.Recognition;
using Deid.Effect.Tests;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Serve;

/// <summary>`deid serve` rendering with the replace method, as the plugin's Method choice asks for it.</summary>
public sealed class ServeReplaceTests : IDisposable
{
    private readonly ServeProcess _serve = new();

    [Fact]
    public void Replace_changes_the_face_the_same_way_for_a_seed_and_another_way_for_another_seed()
    {
        using var client = _serve.Connect();
        Assert.Equal("welcome", client.Request(new() { ["type"] = "hello", ["protocol"] = 1, ["client"] = "test" })["type"]);
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        var slot = Path.Combine(_serve.Directory, "slot-replace.shm");
        var input = Packed(photo);

        byte[] RenderWith(int seed, string fingerprint)
        {
            File.WriteAllBytes(slot, input);
            var reply = client.Request(Request(slot, photo.Width, photo.Height, seed, fingerprint));
            Assert.True((string)reply["type"] == "rendered", reply.TryGetValue("message", out var m) ? (string)m : "no message");
            return File.ReadAllBytes(slot);
        }

        var first = RenderWith(seed: 5, fingerprint: "replace-a");
        var again = RenderWith(seed: 5, fingerprint: "replace-b");  // another clip key: rendered afresh, not from the cache
        var other = RenderWith(seed: 6, fingerprint: "replace-a");
        var changed = Differing(first, input);
        Assert.True(changed > 2000, $"only {changed} bytes changed: the face was not replaced");
        Assert.Equal(first, again);
        Assert.True(Differing(first, other) > 1000, "another seed gave the same face");
        var stats = client.Request(new() { ["type"] = "stats" });
        Assert.Equal(3L, Convert.ToInt64(stats["rendered"]));
    }

    /// <summary>
    /// A serve started with DEID_DONORS (as a plugin host passes its environment on) makes new faces from the donors:
    /// another face than the built-in transform's, beyond the recognizer's match distance from the person.
    /// </summary>
    [Fact]
    public void With_a_donor_folder_replace_draws_the_new_face_from_the_donors()
    {
        using var withDonors = new ServeProcess(environment: new Dictionary<string, string> { ["DEID_DONORS"] = SharedAssets.Media("photos") });
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        var input = Packed(photo);

        byte[] RenderOn(ServeProcess serve)
        {
            using var client = serve.Connect();
            Assert.Equal("welcome", client.Request(new() { ["type"] = "hello", ["protocol"] = 1, ["client"] = "test" })["type"]);
            var slot = Path.Combine(serve.Directory, "slot-donors.shm");
            File.WriteAllBytes(slot, input);
            var reply = client.Request(Request(slot, photo.Width, photo.Height, seed: 5, fingerprint: "donors"));
            Assert.True((string)reply["type"] == "rendered", reply.TryGetValue("message", out var m) ? (string)m : "no message");
            return File.ReadAllBytes(slot);
        }

        var builtIn = RenderOn(_serve);
        var fromDonors = RenderOn(withDonors);
        Assert.True(Differing(builtIn, fromDonors) > 5000, "the donor folder made no difference");

        var sessions = new InferenceSessionFactory(ExecutionDevice.Cpu);
        using var detector = new YuNetDetector(sessions, SharedAssets.Models());
        using var embedder = new ResNetFaceEmbedder(sessions, SharedAssets.Models());
        var face = detector.Detect(photo).OrderByDescending(d => d.Score).First();
        using var output = Unpacked(fromDonors, photo.Width, photo.Height);
        using var before = new Mat();
        using var after = new Mat();
        FaceAligner.Align(photo, face.Landmarks, before);
        FaceAligner.Align(output, face.Landmarks, after);
        var embeddings = embedder.Embed([before, after]);
        var distance = embedder.Distance(embeddings[0], embeddings[1]);
        Assert.True(distance > embedder.MatchThreshold, $"the donors' face is {distance:0.000} from the person");
    }

    /// <summary>
    /// The donor folder is read once per serve process: new seeds (each its own replace compositor, more than the
    /// server keeps, so compositors are also dropped and made again) share the one load, and still differ.
    /// </summary>
    [Fact]
    public void Every_seed_shares_one_load_of_the_donor_folder()
    {
        using var withDonors = new ServeProcess(environment: new Dictionary<string, string> { ["DEID_DONORS"] = SharedAssets.Media("photos") });
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        using var client = withDonors.Connect();
        Assert.Equal("welcome", client.Request(new() { ["type"] = "hello", ["protocol"] = 1, ["client"] = "test" })["type"]);
        var slot = Path.Combine(withDonors.Directory, "slot-seeds.shm");
        var outputs = new List<byte[]>();
        foreach (var seed in new[] { 5, 6, 7, 5 })
        {
            File.WriteAllBytes(slot, Packed(photo));
            var reply = client.Request(Request(slot, photo.Width, photo.Height, seed, fingerprint: $"seeds-{outputs.Count}"));
            Assert.True((string)reply["type"] == "rendered", reply.TryGetValue("message", out var m) ? (string)m : "no message");
            outputs.Add(File.ReadAllBytes(slot));
        }
        Assert.True(Differing(outputs[0], outputs[1]) > 1000, "two seeds made the same face");
        Assert.Equal(outputs[0], outputs[3]);
        var stats = client.Request(new() { ["type"] = "stats" });
        Assert.Equal(1L, Convert.ToInt64(stats["donorBankLoads"]));
        // Four seeds, two compositors kept at a time (three made, one dropped): the models were loaded once for all.
        Assert.Equal(1L, Convert.ToInt64(stats["replacementModelLoads"]));

        using var withoutDonors = _serve.Connect();
        Assert.Equal("welcome", withoutDonors.Request(new() { ["type"] = "hello", ["protocol"] = 1, ["client"] = "test" })["type"]);
        var before = withoutDonors.Request(new() { ["type"] = "stats" });
        Assert.Equal(0L, Convert.ToInt64(before["donorBankLoads"]));
        // This server may have rendered replace for other tests already: once at most, however many compositors.
        Assert.InRange(Convert.ToInt64(before["replacementModelLoads"]), 0L, 1L);
    }

    private static int Differing(byte[] a, byte[] b) => a.Zip(b).Count(p => p.First != p.Second);

    private static Dictionary<string, object> Request(string slot, int width, int height, int seed, string fingerprint) => new()
    {
        ["type"] = "render", ["session"] = "replace", ["clip"] = "photo", ["frame"] = 0, ["slot"] = slot,
        ["width"] = width, ["height"] = height, ["depth"] = "byte", ["method"] = "replace", ["seed"] = seed, ["strength"] = 1.0,
        ["maskScale"] = 1.0, ["feather"] = 0.25, ["threshold"] = 0.5, ["policy"] = "anonymize-everyone",
        ["identities"] = new Dictionary<string, object>(), ["showBoxes"] = false, ["analysis"] = "", ["fingerprint"] = fingerprint,
    };

    /// <summary>Packed bottom-up RGBA 8-bit, as the plugin writes a host image into its slot.</summary>
    private static byte[] Packed(Mat bgr)
    {
        int width = bgr.Width, height = bgr.Height;
        var bytes = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var p = bgr.At<Vec3b>(y, x);
                var o = ((height - 1 - y) * width + x) * 4;
                bytes[o] = p.Item2;
                bytes[o + 1] = p.Item1;
                bytes[o + 2] = p.Item0;
                bytes[o + 3] = 255;
            }
        return bytes;
    }

    private static Mat Unpacked(byte[] bytes, int width, int height)
    {
        var bgr = new Mat(height, width, MatType.CV_8UC3);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var o = ((height - 1 - y) * width + x) * 4;
                bgr.Set(y, x, new Vec3b(bytes[o + 2], bytes[o + 1], bytes[o]));
            }
        return bgr;
    }

    public void Dispose() => _serve.Dispose();
}
