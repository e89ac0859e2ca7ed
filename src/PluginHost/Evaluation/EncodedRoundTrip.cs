using Deid.PluginHost.Video;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// Judge each method's output as a rendered file carries it: the frames are encoded as `deid render` encodes them
/// (<see cref="EncodeSettings"/>: x264, CRF 18, in frame order, so a face is coded as its prediction from the frames
/// around it) and decoded again before anything is measured. A new face that clears the match distance as rendered
/// can come out nearer the person once encoded.
/// </summary>
public sealed record EncodedRoundTrip(FfmpegTools Tools, VideoInfo Source);
