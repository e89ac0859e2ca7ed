using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using Deid.Effect.Identities;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// How `replace` gives each person of a clip their new face: one plan per person, from the faces the analysis kept
/// of them (<see cref="Deid.Effect.Identities.FaceSample"/>), so `deid render` and the editor give the same person the
/// same new face, whatever order frames are rendered in.
/// </summary>
public static class ReplacePlanning
{
    /// <summary>The key a track's new face is planned under: its person's, or, for a track of nobody known, its own.</summary>
    public static string IdentityKey(ClipAnalysis analysis, int trackId) =>
        analysis.IdentityOf(trackId) is { } identity ? $"identity:{identity}" : $"track:{trackId}";

    /// <summary>The key of every face before a clip is analysed: one new face for everyone, the same on every frame.</summary>
    public const string UnanalysedKey = "unanalysed";

    /// <summary>
    /// The replace compositor for an analysed clip. <paramref name="renderInOrder"/>: frames come in clip order (a
    /// file render), so landmarks may be smoothed along tracks and a face of nobody known may be planned from its
    /// first face; otherwise (the editor) every frame stands alone and such faces are planned from the seed alone.
    /// <paramref name="sharedDonors"/>: the donor folder's faces when the caller keeps them loaded for several compositors;
    /// <paramref name="sharedModels"/>: likewise replace's models, for compositors that never render at the same time.
    /// </summary>
    public static FaceCompositor Compositor(AnonymizerSettings settings, ClipAnalysis? analysis, EngineModels models, bool renderInOrder,
        DonorBank? sharedDonors = null, ReplacementModels? sharedModels = null)
    {
        var options = renderInOrder ? settings.Replacement : ForFramesAlone(settings.Replacement);
        var replacer = new FaceReplacer(models.Sessions, models.Locator, options, sharedDonors, sharedModels);
        if (analysis is null)
            return new FaceCompositor(new ReplaceAnonymizer(replacer, _ => UnanalysedKey, _ => []), settings.Mask);
        return new FaceCompositor(new ReplaceAnonymizer(replacer, trackId => IdentityKey(analysis, trackId),
            key => SamplesOf(analysis, key) ?? (renderInOrder ? null : [])), settings.Mask);
    }

    /// <summary>
    /// Replace's options for frames that stand alone (the editor renders any frame in any order, and caches each):
    /// nothing carried from one frame to the next, neither smoothed landmarks nor the other new face a track took.
    /// </summary>
    public static ReplacementOptions ForFramesAlone(ReplacementOptions options) => options with { LandmarkSmoothing = 0, KeepNewFaceAlongTrack = false };

    /// <summary>The kept faces of the person a key names, decoded; null when the key is not a person's or none were kept.</summary>
    private static IReadOnlyList<(Mat Frame, FaceRegion Region)>? SamplesOf(ClipAnalysis analysis, string key)
    {
        if (!key.StartsWith("identity:", StringComparison.Ordinal) || !int.TryParse(key.AsSpan("identity:".Length), out var id)) return null;
        var identity = analysis.Identities.FirstOrDefault(i => i.Id == id);
        var decoded = identity is null ? [] : Samples(identity);
        return decoded.Count > 0 ? decoded : null;
    }

    /// <summary>The faces a person's new face is planned on, decoded (the caller owns them); a face that cannot be decoded is left out.</summary>
    public static IReadOnlyList<(Mat Frame, FaceRegion Region)> Samples(Identity identity)
    {
        var decoded = new List<(Mat, FaceRegion)>();
        foreach (var sample in identity.Samples)
        {
            try { decoded.Add(sample.Decode(identity.TrackIds[0])); }
            catch (FormatException) { }
        }
        return decoded;
    }
}
