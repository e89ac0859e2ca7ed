using System.Security.Cryptography;
using OpenCvSharp;

namespace Deid.Effect.Pipeline;

/// <summary>
/// Identifies a clip by its content: tiny greyscale thumbnails of every <see cref="SampleInterval"/>-th frame, with
/// the frame size and count, hashed. The same media gives the same fingerprint in any project or after a restart;
/// a different or re-cut clip does not. The samples are kept so a later pass can check frame by frame that it is
/// reading the clip an analysis was made for.
/// </summary>
public sealed class ClipFingerprint
{
    public const int SampleInterval = 30;
    private const int ThumbnailSide = 16;

    private readonly SortedDictionary<int, byte[]> _samples = [];
    private readonly Mat _grey = new();
    private readonly Mat _small = new();

    public ClipFingerprint() { }

    public ClipFingerprint(IReadOnlyDictionary<int, byte[]> samples)
    {
        foreach (var (frame, thumbnail) in samples) _samples[frame] = thumbnail;
    }

    public IReadOnlyDictionary<int, byte[]> Samples => _samples;

    public static bool IsSampled(int frame) => frame % SampleInterval == 0;

    public void Offer(int frame, Mat bgrFrame)
    {
        if (IsSampled(frame)) _samples[frame] = Thumbnail(bgrFrame);
    }

    /// <summary>Whether <paramref name="bgrFrame"/> looks like the sampled frame of the same index (true when not sampled).</summary>
    public bool Matches(int frame, Mat bgrFrame)
    {
        if (!_samples.TryGetValue(frame, out var expected)) return true;
        var actual = Thumbnail(bgrFrame);
        var difference = 0;
        for (var i = 0; i < actual.Length; i++) difference += Math.Abs(actual[i] - expected[i]);
        // Decoders agree to the bit on the same file; a little slack covers a different decoder build.
        return difference <= 2 * actual.Length;
    }

    public string Hash(int width, int height, int frameCount)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(width));
        sha.AppendData(BitConverter.GetBytes(height));
        sha.AppendData(BitConverter.GetBytes(frameCount));
        foreach (var (frame, thumbnail) in _samples)
        {
            sha.AppendData(BitConverter.GetBytes(frame));
            sha.AppendData(thumbnail);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private byte[] Thumbnail(Mat bgrFrame)
    {
        Cv2.CvtColor(bgrFrame, _grey, ColorConversionCodes.BGR2GRAY);
        Cv2.Resize(_grey, _small, new Size(ThumbnailSide, ThumbnailSide), 0, 0, InterpolationFlags.Area);
        var bytes = new byte[ThumbnailSide * ThumbnailSide];
        for (var y = 0; y < ThumbnailSide; y++)
            for (var x = 0; x < ThumbnailSide; x++) bytes[y * ThumbnailSide + x] = _small.At<byte>(y, x);
        return bytes;
    }
}
