using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The second control: moves the whole picture by half a pixel right and down (and so softens it by as much as any
/// resampling does), nothing else. Nobody would call that a change of pose or expression, so what the measures still
/// report here is their own noise: the landmarker reads a small face a little differently after the slightest change,
/// and no method can score better than this on pose, eye and mouth opening, however well it keeps them.
/// </summary>
public sealed class ShiftedMethod : IEvaluatedMethod
{
    public const string MethodName = "shifted";

    private const double Shift = 0.5;

    private readonly Mat _shifted = new();

    public string Name => MethodName;

    public void Prepare(EvaluationSubject subject) { }

    public void Anonymize(Mat bgrFrame, IReadOnlyList<FaceRegion> faces, Func<FaceRegion, string> identityKey)
    {
        MoveByHalfAPixel(bgrFrame, _shifted);
        _shifted.CopyTo(bgrFrame);
    }

    /// <summary>The picture moved by half a pixel right and down, as this control outputs it.</summary>
    public static void MoveByHalfAPixel(Mat source, Mat destination)
    {
        using var shift = Mat.FromArray(new double[,] { { 1, 0, Shift }, { 0, 1, Shift } });
        Cv2.WarpAffine(source, destination, shift, source.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
    }

    public void Dispose() => _shifted.Dispose();
}
