using OpenCvSharp;

namespace Deid.Effect.Pipeline;

/// <summary>
/// Finds hard cuts, frame by frame, so no face track runs from one shot into the next (a face in the audience whose
/// box overlaps the singer's in the next shot would otherwise become the singer, and whoever the user keeps visible
/// would take the other person along). Each frame is shrunk to a small grey thumbnail; a cut is a frame whose mean
/// absolute difference from the one before is large both in itself and against the difference of the frame before
/// (camera motion and flashes change every frame a little; a cut changes one frame a lot). Cross-fades are not cuts:
/// they change many frames a little, and tracks there are left to the linker's overlap rules.
/// </summary>
public sealed class SceneCutDetector : IDisposable
{
    /// <summary>Thumbnail width; the height keeps the frame's aspect. Small enough to ignore noise and grain.</summary>
    public const int ThumbnailWidth = 64;

    /// <summary>
    /// Mean absolute difference (grey levels, 0-255) a cut must reach, in itself and above the frame before's.
    /// On the Hamilton clip the three cuts score 24-30 and every other frame at most 12.
    /// </summary>
    public const double CutDifference = 16;

    private Mat _previous = new();
    private Mat _current = new();
    private readonly Mat _grey = new();
    private readonly Mat _difference = new();
    private double _previousDifference;

    /// <summary>The last frame's score (grey levels): a cut from <see cref="CutDifference"/> up.</summary>
    public double LastScore { get; private set; }

    /// <summary>Whether <paramref name="bgrFrame"/> starts a new shot (never the first frame).</summary>
    public bool IsCut(Mat bgrFrame)
    {
        var height = Math.Max(1, (int)Math.Round((double)ThumbnailWidth * bgrFrame.Height / bgrFrame.Width));
        Cv2.CvtColor(bgrFrame, _grey, ColorConversionCodes.BGR2GRAY);
        Cv2.Resize(_grey, _current, new Size(ThumbnailWidth, height), interpolation: InterpolationFlags.Area);
        var first = _previous.Empty();
        var difference = 0.0;
        if (!first)
        {
            Cv2.Absdiff(_current, _previous, _difference);
            difference = Cv2.Mean(_difference).Val0;
        }
        LastScore = Math.Min(difference, difference - _previousDifference);
        _previousDifference = difference;
        (_previous, _current) = (_current, _previous);
        return !first && LastScore >= CutDifference;
    }

    public void Dispose()
    {
        _previous.Dispose();
        _current.Dispose();
        _grey.Dispose();
        _difference.Dispose();
    }
}
