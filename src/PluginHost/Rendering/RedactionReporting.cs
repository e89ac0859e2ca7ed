using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Reports;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// The redaction report of a render (`deid render --report`): what the method did to each face
/// (<see cref="FaceLedger"/>), what the read-back did after it (<see cref="ReadBack.HiddenMoreAt"/>), and who the
/// selection kept visible, put together per tracked face and cropped from the written file.
/// </summary>
public static class RedactionReporting
{
    /// <summary>What the written file shows at every tracked face of the clip, cropped from the file itself.</summary>
    public static RedactionReport Make(ClipToRender clip, FaceLedger ledger, ReadBack? readBack, OutputCheckResult check, string written, CancellationToken cancel)
    {
        var (source, analysis, request) = (clip.Source, clip.Analysis, clip.Request);
        var faces = new List<RenderedFace>();
        for (var frame = 0; frame < analysis.FrameCount; frame++)
        {
            var hidden = clip.HiddenAt(frame).Select(region => region.TrackId).ToHashSet();
            foreach (var region in analysis.RegionsAt(frame))
            {
                var treatment = !hidden.Contains(region.TrackId) ? FaceTreatment.Visible
                    : readBack?.HiddenMoreAt(frame, region.TrackId) switch
                    {
                        Escalation.Blur => FaceTreatment.BlurredMore,
                        Escalation.Solid => FaceTreatment.Filled,
                        _ => ledger.At(frame, region.TrackId) switch
                        {
                            null => FaceTreatment.Hidden,
                            ReplacementOutcome.Replaced => FaceTreatment.NewFace,
                            ReplacementOutcome.ReplacedByAlternate => FaceTreatment.OtherNewFace,
                            _ => FaceTreatment.Blurred,
                        },
                    };
                faces.Add(new RenderedFace(frame, region.TrackId, region.Box, treatment));
            }
        }
        var settings = request.Anonymizer;
        var method = settings.Method.ToString().ToLowerInvariant();
        if (settings.Method == AnonymizationMethod.Replace)
        {
            var replacement = settings.Replacement;
            method += $" (seed {replacement.Seed}" + (replacement.DonorFolder is { } donors ? $", donors from {Path.GetFileName(Path.TrimEndingDirectorySeparator(donors))}" : "")
                + (replacement.GeneratorPath is { } generator ? $", generator {Path.GetFileName(generator)}" : "") + ")";
        }
        var header = new RedactionHeader(Path.GetFileName(source.Path), Path.GetFileName(request.OutputPath), method, analysis.FrameCount, source.FrameRate,
            source.Width, source.Height, check, DateTimeOffset.UtcNow);
        var report = RedactionReport.Build(header, faces, analysis.IdentityOf);
        report.TakeThumbnails(clip.Tools, written, cancel);
        return report;
    }

    /// <summary>Writes the page beside <paramref name="path"/> and renames it into place.</summary>
    public static void Write(RedactionReport report, string path) =>
        IdentitiesCommand.WriteAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            report.WriteHtml(writer);
        });
}
