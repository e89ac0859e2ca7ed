using Deid.Effect.Evaluation;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The eye and mouth openings the landmarker reads on a source face and on a method's output of it (the ratios of
/// <see cref="FaceMeasures"/>), so a reader can tell a squint opened from a laugh closed, not only that an opening missed.
/// </summary>
public sealed record OpeningReadings(double SourceEyes, double OutputEyes, double SourceMouth, double OutputMouth)
{
    public static OpeningReadings Between(FaceMeasures source, FaceMeasures output) =>
        new(Math.Round(source.EyeOpening, 4), Math.Round(output.EyeOpening, 4), Math.Round(source.MouthOpening, 4), Math.Round(output.MouthOpening, 4));
}
