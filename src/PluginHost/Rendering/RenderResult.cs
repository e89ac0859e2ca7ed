namespace Deid.PluginHost.Rendering;

/// <summary>What a finished render did, for the summary line and for benchmarks.</summary>
public sealed record RenderResult(string OutputPath, int Frames, int Tracks, int Identities, int FacesCovered, TimeSpan AnalysisTime, TimeSpan RenderTime)
{
    public TimeSpan Total => AnalysisTime + RenderTime;

    /// <summary>The part of <see cref="AnalysisTime"/> spent on identities.</summary>
    public TimeSpan IdentityTime { get; init; }

    /// <summary>What the check of the rendered file found; <see cref="OutputCheckResult.Checked"/> false when it was not run.</summary>
    public OutputCheckResult Check { get; init; } = new(0, 0, []);
}
