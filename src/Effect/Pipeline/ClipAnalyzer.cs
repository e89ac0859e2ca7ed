using Deid.Effect.Detection;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Pipeline;

/// <summary>
/// The analysis pass: detects faces frame by frame as frames are handed in, then links them into tracks over the
/// whole clip so the render pass can look ahead (gaps and track ends are known before any frame is written).
/// </summary>
public sealed class ClipAnalyzer(IFaceDetector detector, TrackingOptions? tracking = null)
{
    private readonly TrackingOptions _tracking = tracking ?? new TrackingOptions();
    private readonly List<IReadOnlyList<FaceDetection>> _detections = [];
    private int _width;
    private int _height;

    public int FramesSeen => _detections.Count;

    public IReadOnlyList<FaceDetection> AddFrame(Mat bgrFrame)
    {
        if (_detections.Count == 0) { _width = bgrFrame.Width; _height = bgrFrame.Height; }
        else if (bgrFrame.Width != _width || bgrFrame.Height != _height)
            throw new ArgumentException($"frame {_detections.Count} is {bgrFrame.Width}x{bgrFrame.Height}, the clip is {_width}x{_height}");
        var found = detector.Detect(bgrFrame);
        _detections.Add(found);
        return found;
    }

    public ClipAnalysis Build() => Build(_detections, _width, _height, _tracking);

    public static ClipAnalysis Build(IReadOnlyList<IReadOnlyList<FaceDetection>> detections, int width, int height, TrackingOptions tracking)
    {
        var tracks = new TrackLinker(tracking).Link(detections);
        var builder = new TrackRegionBuilder(tracking);
        foreach (var track in tracks) builder.Build(track, detections.Count);
        return new ClipAnalysis(detections.Count, width, height, tracks);
    }
}
