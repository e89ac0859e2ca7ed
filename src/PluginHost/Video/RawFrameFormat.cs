namespace Deid.PluginHost.Video;

/// <summary>How raw frames travel between ffmpeg and Deid.</summary>
public enum RawFrameFormat
{
    /// <summary>Packed 8-bit BGR, what the engine's detectors and anonymizers work on.</summary>
    Bgr24,

    /// <summary>The three planes of 8-bit 4:2:0 video, exactly as decoded: one Mat of W x 3H/2 bytes.</summary>
    Yuv420p,
}
