namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// Names one rendered frame in the cache. <see cref="Fingerprint"/> identifies the clip's content and becomes a folder
/// name on disk, so it is restricted to <c>[A-Za-z0-9_-]{1,64}</c>; <see cref="Hash"/> covers everything else the
/// rendered result depends on (input pixels, settings, identity selection) and is computed by the caller, so any
/// change upstream is a different key — a miss, never a stale frame.
/// </summary>
public readonly record struct FrameCacheKey(string Fingerprint, int Frame, UInt128 Hash)
{
    public const int MaxFingerprintLength = 64;

    public string Fingerprint { get; } = ValidFingerprint(Fingerprint);

    public int Frame { get; } = Frame >= 0 ? Frame : throw new ArgumentOutOfRangeException(nameof(Frame), Frame, "the frame index must be 0 or more");

    /// <summary>False only for <c>default(FrameCacheKey)</c>, which never went through the checks.</summary>
    public bool IsValid => Fingerprint is not null;

    public static bool IsValidFingerprint(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > MaxFingerprintLength) return false;
        foreach (var c in text)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-') return false;
        return true;
    }

    private static string ValidFingerprint(string fingerprint) =>
        fingerprint is not null && IsValidFingerprint(fingerprint) ? fingerprint
            : throw new ArgumentException($"a clip fingerprint must be 1 to {MaxFingerprintLength} characters of A-Z, a-z, 0-9, '_' or '-', not '{fingerprint}'", nameof(Fingerprint));

    public override string ToString() => $"{Fingerprint}/{Frame}/{Hash:x32}";
}
