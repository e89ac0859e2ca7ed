using OpenCvSharp;

namespace Deid.PluginHost.Reports;

/// <summary>One tracked face of a rendered clip: where it was, and what the written file shows there.</summary>
public sealed record RenderedFace(int Frame, int TrackId, Rect2f Box, FaceTreatment Treatment);
