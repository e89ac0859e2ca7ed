using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// The fixed little-endian header in front of every disk cache entry. It repeats the full key, so a file that ended
/// up under the wrong name (or a name collision on a case-insensitive file system) is refused rather than served, and
/// it carries its own checksum, so a flipped bit in the lengths cannot send a reader off reading garbage.
/// <code>
///   0  8  magic "DEIDFRM\x1A"
///   8  2  format version (1)
///  10  2  header size (144)
///  12  1  depth: bytes per channel (1 byte, 2 short, 4 float)
///  13  1  payload encoding: 0 raw, 1 LZ4 block
///  14  1  fingerprint length
///  15  1  0
///  16 64  fingerprint, ASCII, zero padded
///  80  4  frame index
///  84  4  width
///  88  4  height
///  92  4  faces
///  96 16  key hash (low 64 bits, then high 64 bits)
/// 112  8  raw pixel length
/// 120  8  payload length (the rest of the file)
/// 128  8  XxHash3-64 of the raw pixels
/// 136  8  XxHash3-64 of bytes 0..135
/// </code>
/// </summary>
internal readonly record struct DiskEntryHeader(
    FrameCacheKey Key, int Width, int Height, byte DepthCode, int Faces,
    DiskPayloadEncoding PayloadEncoding, long RawLength, long PayloadLength, ulong PixelChecksum)
{
    public const int Size = 144;
    public const ushort FormatVersion = 1;
    private const int ChecksumOffset = 136;
    private static ReadOnlySpan<byte> Magic => "DEIDFRM\x1A"u8;

    public void WriteTo(Span<byte> target)
    {
        target = target[..Size];
        target.Clear();
        Magic.CopyTo(target);
        BinaryPrimitives.WriteUInt16LittleEndian(target[8..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(target[10..], Size);
        target[12] = DepthCode;
        target[13] = (byte)PayloadEncoding;
        target[14] = (byte)Encoding.ASCII.GetBytes(Key.Fingerprint, target.Slice(16, FrameCacheKey.MaxFingerprintLength));
        BinaryPrimitives.WriteInt32LittleEndian(target[80..], Key.Frame);
        BinaryPrimitives.WriteInt32LittleEndian(target[84..], Width);
        BinaryPrimitives.WriteInt32LittleEndian(target[88..], Height);
        BinaryPrimitives.WriteInt32LittleEndian(target[92..], Faces);
        BinaryPrimitives.WriteUInt64LittleEndian(target[96..], (ulong)Key.Hash);
        BinaryPrimitives.WriteUInt64LittleEndian(target[104..], (ulong)(Key.Hash >> 64));
        BinaryPrimitives.WriteInt64LittleEndian(target[112..], RawLength);
        BinaryPrimitives.WriteInt64LittleEndian(target[120..], PayloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(target[128..], PixelChecksum);
        BinaryPrimitives.WriteUInt64LittleEndian(target[ChecksumOffset..], XxHash3.HashToUInt64(target[..ChecksumOffset]));
    }

    /// <summary>Reads and checks a header; returns what is wrong with it, or null when it is sound.</summary>
    public static string? TryRead(ReadOnlySpan<byte> source, out DiskEntryHeader header)
    {
        header = default;
        if (source.Length < Size) return "shorter than a header";
        if (!source[..8].SequenceEqual(Magic)) return "not a Deid frame cache entry";
        if (BinaryPrimitives.ReadUInt64LittleEndian(source[ChecksumOffset..]) != XxHash3.HashToUInt64(source[..ChecksumOffset])) return "header checksum mismatch";
        if (BinaryPrimitives.ReadUInt16LittleEndian(source[8..]) is var version && version != FormatVersion) return $"format version {version}, expected {FormatVersion}";
        if (BinaryPrimitives.ReadUInt16LittleEndian(source[10..]) != Size) return "unexpected header size";
        var depthCode = source[12];
        if (CachedPixelDepth.FromCode(depthCode) is null) return $"unknown depth code {depthCode}";
        var encoding = (DiskPayloadEncoding)source[13];
        if (encoding is not (DiskPayloadEncoding.Raw or DiskPayloadEncoding.Lz4)) return $"unknown payload encoding {source[13]}";
        var fingerprintLength = source[14];
        if (fingerprintLength > FrameCacheKey.MaxFingerprintLength) return "fingerprint too long";
        var fingerprint = Encoding.ASCII.GetString(source.Slice(16, fingerprintLength));
        if (!FrameCacheKey.IsValidFingerprint(fingerprint)) return "invalid fingerprint";
        var frame = BinaryPrimitives.ReadInt32LittleEndian(source[80..]);
        var width = BinaryPrimitives.ReadInt32LittleEndian(source[84..]);
        var height = BinaryPrimitives.ReadInt32LittleEndian(source[88..]);
        var faces = BinaryPrimitives.ReadInt32LittleEndian(source[92..]);
        var hash = new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(source[104..]), BinaryPrimitives.ReadUInt64LittleEndian(source[96..]));
        var rawLength = BinaryPrimitives.ReadInt64LittleEndian(source[112..]);
        var payloadLength = BinaryPrimitives.ReadInt64LittleEndian(source[120..]);
        if (frame < 0 || width <= 0 || height <= 0 || faces < 0) return "negative frame, size or face count";
        if (rawLength < 0 || rawLength > Array.MaxLength || payloadLength < 0) return "impossible lengths";
        if (encoding == DiskPayloadEncoding.Raw && payloadLength != rawLength) return "raw payload length differs from the pixel length";
        header = new DiskEntryHeader(new FrameCacheKey(fingerprint, frame, hash), width, height, depthCode, faces, encoding,
            rawLength, payloadLength, BinaryPrimitives.ReadUInt64LittleEndian(source[128..]));
        return null;
    }
}
