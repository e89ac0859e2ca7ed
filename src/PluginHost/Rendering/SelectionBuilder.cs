using Deid.Effect.Identities;
using Deid.Effect.Selection;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>Turns `--selection`, `--keep` and `--keep-photo` into one selection for the clip.</summary>
public static class SelectionBuilder
{
    public static AnonymizationSelection Build(RenderRequest request, ClipAnalysis analysis, double framesPerSecond,
        EngineModels? models, Action<string> log)
    {
        AnonymizationSelection selection;
        try
        {
            selection = request.SelectionPath is { } path ? SelectionDocument.Load(path, framesPerSecond) : AnonymizationSelection.Everyone;
        }
        catch (FormatException e) { throw new CliError(e.Message); }

        var known = analysis.Identities.Select(i => i.Id).ToHashSet();
        foreach (var id in selection.Keys.Keys.Where(id => !known.Contains(id)))
            log($"warning: the selection names identity {id}, which this clip does not have ({Describe(known)})");

        var keep = new List<int>();
        foreach (var id in request.Keep)
        {
            if (!known.Contains(id)) throw new CliError($"--keep {id}: no such identity; this clip has {Describe(known)} (see `deid identities`)");
            keep.Add(id);
        }
        if (request.KeepPhotos.Count > 0)
        {
            if (models is null) throw new InvalidOperationException("--keep-photo needs the recognizer");
            var matcher = new PhotoIdentityMatcher(models.Detector, models.Embedder);
            foreach (var photoPath in request.KeepPhotos)
            {
                using var photo = Cv2.ImRead(photoPath, ImreadModes.Color);
                if (photo.Empty()) throw new CliError($"--keep-photo: cannot read image {photoPath}");
                float[] embedding;
                try { embedding = matcher.EmbedPhoto(photo, photoPath); }
                catch (ArgumentException e) { throw new CliError($"--keep-photo: {e.Message}"); }
                var matches = matcher.Match(embedding, analysis.Identities);
                log(matches.Count == 0
                    ? $"warning: nobody in the clip matches {Path.GetFileName(photoPath)}; nobody is kept for it"
                    : $"keeping identit{(matches.Count == 1 ? "y" : "ies")} {string.Join(", ", matches)} (matches {Path.GetFileName(photoPath)})");
                keep.AddRange(matches);
            }
        }
        return keep.Count == 0 ? selection : selection.Merge(AnonymizationSelection.Keep(keep));
    }

    private static string Describe(HashSet<int> known) =>
        known.Count == 0 ? "no identities" : $"identities {string.Join(", ", known.Order())}";
}
