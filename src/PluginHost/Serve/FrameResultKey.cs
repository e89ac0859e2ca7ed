using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Deid.Effect.Anonymization;
using Deid.Effect.Models;
using Deid.Effect.Selection;

namespace Deid.PluginHost.Serve;

/// <summary>
/// The cache key of a rendered frame: a hash of exactly what the result depends on. Anything left out could serve a
/// wrong frame; anything extra only costs hits. The clip fingerprint and frame index name the entry (and its
/// folder on disk); the hash decides whether it is the right one.
/// </summary>
public static class FrameResultKey
{
    /// <summary>Bump when the rendering of the same inputs changes, so older cached frames are not served.</summary>
    private const string RenderVersion = "deid-render-12";

    /// <summary>Every model the result may depend on, by content.</summary>
    private static readonly string Models = string.Join(",", ModelCatalog.All.Select(m => m.Sha256));

    public static string CheckFingerprint(string text) =>
        text.Length is >= 1 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? text : throw new FrameMessageException("fingerprint must be 1 to 64 letters, digits, '-' or '_'");

    public static ulong ParseContent(string text) =>
        text.Length == 16 && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value : throw new FrameMessageException("content must be 16 hexadecimal digits");

    /// <summary>The settings part, shared by both kinds of key.</summary>
    public static string Describe(int width, int height, PixelDepth depth, AnonymizerSettings settings, AnonymizationPolicy policy,
        float threshold, bool showBoxes, int positionInWindow)
    {
        var invariant = CultureInfo.InvariantCulture;
        return string.Join("|", RenderVersion, Models, width.ToString(invariant), height.ToString(invariant), depth.ToString(),
            settings.Method.ToString(), settings.Strength.ToString("R", invariant), settings.Mask.Scale.ToString("R", invariant),
            settings.Mask.Feather.ToString("R", invariant), settings.SolidColor.ToString(), settings.Replacement.Seed.ToString(invariant),
            settings.Replacement.DonorFingerprint ?? "no-donors", policy.ToString(),
            threshold.ToString("R", invariant), showBoxes.ToString(), positionInWindow.ToString(invariant));
    }

    /// <summary>A frame of an analysed clip: its source pixels (by hash), the analysis, and who of those in it is hidden.</summary>
    public static UInt128 WithAnalysis(string description, ulong content, ulong analysisId, IEnumerable<(int TrackId, bool Hidden)> regions)
    {
        var hash = new XxHash128();
        hash.Append(Encoding.UTF8.GetBytes(description));
        Span<byte> number = stackalloc byte[8];
        Append(hash, number, content);
        Append(hash, number, analysisId);
        foreach (var (trackId, hidden) in regions)
        {
            Append(hash, number, (ulong)(uint)trackId);
            Append(hash, number, hidden ? 1UL : 0UL);
        }
        return hash.GetCurrentHashAsUInt128();
    }

    /// <summary>A frame rendered from a window of frames (no analysis): the whole window's pixels.</summary>
    public static UInt128 WithWindow(string description, ReadOnlySpan<byte> window, ulong analysisId)
    {
        var hash = new XxHash128();
        hash.Append(Encoding.UTF8.GetBytes("window|" + description));
        Span<byte> number = stackalloc byte[8];
        Append(hash, number, analysisId);
        hash.Append(window);
        return hash.GetCurrentHashAsUInt128();
    }

    private static void Append(XxHash128 hash, Span<byte> buffer, ulong value)
    {
        BitConverter.TryWriteBytes(buffer, value);
        hash.Append(buffer);
    }
}
