using Deid.Effect.Anonymization;
using Deid.Effect.Imaging;
using Deid.Effect.Pipeline;
using Deid.Effect.Selection;
using Deid.Effect.Tracking;
using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// A clip as `deid render` writes it: the source, its analysis, who is hidden when, and the frames' raw format.
/// Every writing of the clip (the first, and those after a read-back) decodes and encodes it the same way.
/// </summary>
public sealed record ClipToRender(FfmpegTools Tools, VideoInfo Source, ClipAnalysis Analysis, ClipFingerprint Samples,
    AnonymizationSelection Selection, RenderRequest Request)
{
    public EncodeSettings Encode { get; } = (Request.Encode ?? new EncodeSettings()).For(Source);

    /// <summary>A yuv420p source is rendered in its own planes: only hidden faces are converted, the rest is passed through.</summary>
    public RawFrameFormat Format => RawFrameFormats.CanCarry(Source, Encode) ? RawFrameFormat.Yuv420p : RawFrameFormat.Bgr24;

    public YuvMatrix Matrix { get; } = YuvMatrix.ByName(Source.ConversionMatrix, Source.IsFullRange);

    /// <summary>The regions of frame <paramref name="index"/> that the selection hides at that frame's time.</summary>
    public IReadOnlyList<FaceRegion> HiddenAt(int index) => RenderJob.HiddenRegions(index, Analysis, Selection, Source.FrameDuration);

    /// <summary>Hides <paramref name="regions"/> of a decoded frame, in the frame's own format.</summary>
    public void Hide(I420FaceCompositor compositor, Mat frame, IReadOnlyList<FaceRegion> regions)
    {
        if (regions.Count == 0) return;
        if (Format == RawFrameFormat.Yuv420p) compositor.Apply(frame, Source.Width, Source.Height, regions);
        else compositor.Inner.Apply(frame, regions);
    }
}
