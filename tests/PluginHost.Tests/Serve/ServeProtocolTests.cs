using Deid.Effect.Tests;
using MessagePack;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Serve;

/// <summary>`deid serve` on its socket: handshake, frames through shared memory, and refusal of broken messages without crashing.</summary>
public sealed class ServeProtocolTests : IClassFixture<ServeProtocolTests.Server>
{
    public sealed class Server : IDisposable
    {
        public ServeProcess Process { get; } = new();

        public void Dispose() => Process.Dispose();
    }

    private readonly ServeProcess _serve;

    public ServeProtocolTests(Server server) => _serve = server.Process;

    private static Dictionary<string, object> Hello() => new() { ["type"] = "hello", ["protocol"] = 1, ["client"] = "test" };

    [Fact]
    public void Handshake_and_ping()
    {
        using var client = _serve.Connect();
        var welcome = client.Request(Hello());
        Assert.Equal("welcome", welcome["type"]);
        Assert.Equal(_serve.Process.Id, Convert.ToInt32(welcome["pid"]));
        Assert.Equal("pong", client.Request(new() { ["type"] = "ping" })["type"]);
    }

    [Fact]
    public void Another_protocol_version_is_refused()
    {
        using var client = _serve.Connect();
        var reply = client.Request(new() { ["type"] = "hello", ["protocol"] = 99, ["client"] = "future" });
        Assert.Equal("error", reply["type"]);
        Assert.Contains("protocol", (string)reply["message"]);
    }

    [Fact]
    public void Malformed_messages_get_an_error_and_the_connection_and_server_stay_usable()
    {
        using var client = _serve.Connect();
        var cases = new List<byte[]>
        {
            new byte[] { 0xc1 },                                             // never-used MessagePack byte
            MessagePackSerializer.Serialize(new[] { 1, 2, 3 }),              // not a map
            MessagePackSerializer.Serialize(new Dictionary<string, object> { ["kind"] = "render" }),   // no type
            MessagePackSerializer.Serialize(new Dictionary<string, object> { ["type"] = "explode" }),  // unknown type
            MessagePackSerializer.Serialize(new Dictionary<string, object> { ["type"] = "render", ["width"] = "wide" }),
            MessagePackSerializer.Serialize(new Dictionary<string, object> { ["type"] = "hello", ["protocol"] = "one" }),
            MessagePackSerializer.Serialize(new Dictionary<string, object> { ["type"] = "analyze-frame", ["session"] = "none" }),
        };
        foreach (var payload in cases)
        {
            var reply = client.SendRaw(payload);
            Assert.Equal("error", reply["type"]);
            Assert.False(string.IsNullOrWhiteSpace((string)reply["message"]));
        }
        Assert.Equal("pong", client.Request(new() { ["type"] = "ping" })["type"]);
    }

    [Fact]
    public void An_oversized_frame_closes_that_connection_only()
    {
        using (var client = _serve.Connect())
        {
            client.SendFrame(64 << 20, [1, 2, 3]);
            Assert.True(client.IsClosedByServer());
        }
        using var other = _serve.Connect();
        Assert.Equal("pong", other.Request(new() { ["type"] = "ping" })["type"]);
        Assert.False(_serve.Process.HasExited);
    }

    [Fact]
    public void A_slot_outside_the_runtime_folder_is_refused()
    {
        using var client = _serve.Connect();
        var reply = client.Request(RenderRequest("/etc/passwd", 4, 4, "byte"));
        Assert.Equal("error", reply["type"]);
        Assert.Contains("runtime folder", (string)reply["message"]);
    }

    [Theory]
    [InlineData("byte")]
    [InlineData("short")]
    [InlineData("float")]
    public void A_frame_rendered_through_shared_memory_has_its_faces_hidden_and_nothing_else_touched(string depth)
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        var slot = Path.Combine(_serve.Directory, $"slot-test-{depth}.shm");
        var bytes = WriteSlot(slot, photo, depth);
        using var client = _serve.Connect();
        var reply = client.Request(RenderRequest(slot, photo.Width, photo.Height, depth));
        Assert.True((string)reply["type"] == "rendered", reply.TryGetValue("message", out var m) ? (string)m : "");
        Assert.Equal(1, Convert.ToInt32(reply["faces"]));

        var after = File.ReadAllBytes(slot);
        int width = photo.Width, height = photo.Height;
        var bytesPerPixel = 4 * (depth == "byte" ? 1 : depth == "short" ? 2 : 4);
        var changedPixels = 0;
        var alphaChanged = false;
        for (var p = 0; p < width * height; p++)
        {
            var offset = p * bytesPerPixel;
            if (!bytes.AsSpan(offset, bytesPerPixel).SequenceEqual(after.AsSpan(offset, bytesPerPixel))) changedPixels++;
            var alpha = offset + 3 * bytesPerPixel / 4;
            if (!bytes.AsSpan(alpha, bytesPerPixel / 4).SequenceEqual(after.AsSpan(alpha, bytesPerPixel / 4))) alphaChanged = true;
        }
        // The face (about a fifth of this portrait) changed; the rest of the frame did not; alpha never does.
        Assert.InRange(changedPixels, width * height / 20, width * height / 2);
        Assert.False(alphaChanged);
    }

    [Fact]
    public void Rendering_the_same_frame_again_is_served_from_the_cache_with_the_same_pixels()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "biden.jpg"));
        var slot = Path.Combine(_serve.Directory, "slot-cache.shm");
        var input = WriteSlot(slot, photo, "byte");
        using var client = _serve.Connect();
        var first = client.Request(RenderRequest(slot, photo.Width, photo.Height, "byte"));
        Assert.False((bool)first["cached"]);
        var rendered = File.ReadAllBytes(slot);

        File.WriteAllBytes(slot, input);
        var second = client.Request(RenderRequest(slot, photo.Width, photo.Height, "byte"));
        Assert.True((bool)second["cached"]);
        Assert.Equal(rendered, File.ReadAllBytes(slot));

        // Another strength is another result: not served from the cache.
        File.WriteAllBytes(slot, input);
        var other = RenderRequest(slot, photo.Width, photo.Height, "byte");
        other["strength"] = 0.5;
        Assert.False((bool)client.Request(other)["cached"]);
    }

    [Fact]
    public void Without_an_analysis_a_face_seen_only_in_neighbouring_frames_is_still_covered()
    {
        using var photo = Cv2.ImRead(SharedAssets.Media("photos", "obama.jpg"));
        // No face in this frame: noise (which the detector scores far below its threshold), so blurring shows.
        using var blank = new Mat(photo.Size(), MatType.CV_8UC3);
        Cv2.Randu(blank, new Scalar(0, 0, 0), new Scalar(255, 255, 255));
        var single = WriteSlot(Path.Combine(_serve.Directory, "slot-part.shm"), photo, "byte");
        var empty = WriteSlot(Path.Combine(_serve.Directory, "slot-part.shm"), blank, "byte");
        // Frames 10, 11, 12: the face, then a frame where the detector finds nothing, then the face again.
        var slot = Path.Combine(_serve.Directory, "slot-window.shm");
        File.WriteAllBytes(slot, [.. single, .. empty, .. single]);
        using var client = _serve.Connect();
        var request = RenderRequest(slot, photo.Width, photo.Height, "byte");
        request["frame"] = 11;
        request["windowFirst"] = 10;
        request["windowCount"] = 3;
        var reply = client.Request(request);
        Assert.True((string)reply["type"] == "rendered", reply.TryGetValue("message", out var m) ? (string)m : "");
        Assert.Equal(1, Convert.ToInt32(reply["faces"]));

        var after = File.ReadAllBytes(slot);
        Assert.Equal(single, after[..single.Length]);
        Assert.NotEqual(empty, after[single.Length..(2 * single.Length)]);
        Assert.Equal(single, after[(2 * single.Length)..]);
    }

    private static Dictionary<string, object> RenderRequest(string slot, int width, int height, string depth) => new()
    {
        ["type"] = "render", ["session"] = "test", ["clip"] = "photo", ["frame"] = 0, ["slot"] = slot,
        ["width"] = width, ["height"] = height, ["depth"] = depth, ["method"] = "blur", ["strength"] = 1.0,
        ["maskScale"] = 1.0, ["feather"] = 0.25, ["threshold"] = 0.5, ["policy"] = "anonymize-everyone",
        ["identities"] = new Dictionary<string, object>(), ["showBoxes"] = false, ["analysis"] = "",
    };

    /// <summary>Writes a BGR image as packed bottom-up RGBA of the given depth, alpha set to a pattern; returns the bytes.</summary>
    private static byte[] WriteSlot(string path, Mat bgr, string depth)
    {
        var channel = depth == "byte" ? 1 : depth == "short" ? 2 : 4;
        int width = bgr.Width, height = bgr.Height;
        var bytes = new byte[width * height * 4 * channel];
        for (var y = 0; y < height; y++)
        {
            var row = height - 1 - y;
            for (var x = 0; x < width; x++)
            {
                var pixel = bgr.At<Vec3b>(y, x);
                var values = new[] { pixel.Item2, pixel.Item1, pixel.Item0, (byte)(x % 251) };
                for (var c = 0; c < 4; c++)
                {
                    var offset = ((row * width + x) * 4 + c) * channel;
                    switch (channel)
                    {
                        case 1: bytes[offset] = values[c]; break;
                        case 2: BitConverter.TryWriteBytes(bytes.AsSpan(offset), (ushort)(values[c] * 257 + (c == 0 ? 1 : 0))); break;
                        default: BitConverter.TryWriteBytes(bytes.AsSpan(offset), values[c] / 255f + (c == 0 ? 1e-4f : 0)); break;
                    }
                }
            }
        }
        File.WriteAllBytes(path, bytes);
        return bytes;
    }
}
