using System.Buffers.Binary;
using MessagePack;

namespace Deid.PluginHost.Serve;

/// <summary>
/// Messages on the socket: a 4-byte little-endian length (1..1 MiB), then one MessagePack map. Decoding treats the
/// bytes as untrusted (depth and size limits), so a hostile or broken peer gets an error, not a crash.
/// </summary>
public static class MessageFraming
{
    public const int MaxMessageBytes = 1 << 20;

    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The next message's bytes, or null when the peer closed the connection cleanly.</summary>
    public static byte[]? ReadFrame(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        var read = ReadAtLeast(stream, header);
        if (read == 0) return null;
        if (read < 4) throw new EndOfStreamException("connection closed inside a message header");
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length is 0 or > MaxMessageBytes) throw new InvalidDataException($"message length {length} is outside 1..{MaxMessageBytes}");
        var payload = new byte[length];
        if (ReadAtLeast(stream, payload) < payload.Length) throw new EndOfStreamException("connection closed inside a message");
        return payload;
    }

    public static MessageFields Decode(byte[] payload)
    {
        object? decoded;
        try { decoded = MessagePackSerializer.Deserialize<object>(payload, Options); }
        catch (MessagePackSerializationException e) { throw new FrameMessageException($"not a MessagePack message: {e.InnerException?.Message ?? e.Message}"); }
        return MessageFields.From(decoded);
    }

    public static void Write(Stream stream, IReadOnlyDictionary<string, object?> message)
    {
        var payload = MessagePackSerializer.Serialize(message, Options);
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame, 4);
        stream.Write(frame);
        stream.Flush();
    }

    private static int ReadAtLeast(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
