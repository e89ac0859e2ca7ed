using Deid.PluginHost.Rendering;

namespace Deid.PluginHost.Reports;

/// <summary>What a redaction report says about the render as a whole.</summary>
/// <param name="Method">The method as the user would name it, with what shapes it (a seed, a donor folder).</param>
public sealed record RedactionHeader(string SourceName, string OutputName, string Method, int FrameCount, (int Numerator, int Denominator) FrameRate,
    int Width, int Height, OutputCheckResult Check, DateTimeOffset Made)
{
    public double FramesPerSecond => (double)FrameRate.Numerator / FrameRate.Denominator;
}
