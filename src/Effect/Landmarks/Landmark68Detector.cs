using Deid.Effect.Inference;
using Deid.Effect.Models;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Deid.Effect.Landmarks;

/// <summary>
/// face-api.js's 68-point landmark net: a square crop around the face resized to 112x112, RGB,
/// (pixel - mean) / 255; it answers (x, y) pairs in 0..1 of the crop.
/// </summary>
public sealed class Landmark68Detector : IFaceLandmarker, IDisposable
{
    public const int InputSize = 112;
    private static readonly float[] MeanRgb = [122.782f, 117.001f, 104.298f];

    /// <summary>
    /// The crop side over the larger side of the detector's box. The net was trained on boxes that include the
    /// brows and chin; YuNet's box is tighter, so the crop is grown a little and moved down to the chin.
    /// </summary>
    public float CropScale { get; init; } = 1.1f;

    public float CropShiftDown { get; init; } = 0.05f;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly Mat _crop = new();

    public Landmark68Detector(InferenceSessionFactory sessions, ModelLocator models)
    {
        _session = sessions.Create(models.Resolve(ModelCatalog.Landmarks68));
        _inputName = _session.InputMetadata.Keys.First();
    }

    public Point2f[] Locate(Mat bgrFrame, Rect2f faceBox) => Locate(bgrFrame, [faceBox])[0];

    public Point2f[][] Locate(Mat bgrFrame, IReadOnlyList<Rect2f> faceBoxes)
    {
        if (bgrFrame.Type() != MatType.CV_8UC3) throw new ArgumentException($"expected an 8-bit BGR frame, got {bgrFrame.Type()}");
        if (faceBoxes.Count == 0) return [];
        const int plane = InputSize * InputSize;
        var input = new float[faceBoxes.Count * 3 * plane];
        var crops = new Rect2f[faceBoxes.Count];
        for (var n = 0; n < faceBoxes.Count; n++)
        {
            crops[n] = CropFor(faceBoxes[n]);
            Sample(bgrFrame, crops[n], input.AsSpan(n * 3 * plane, 3 * plane));
        }

        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [faceBoxes.Count, 3, InputSize, InputSize]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, [_inputName], [tensor], _session.OutputNames);
        var flat = outputs[0].GetTensorDataAsSpan<float>();
        var result = new Point2f[faceBoxes.Count][];
        for (var n = 0; n < result.Length; n++)
        {
            var crop = crops[n];
            var points = new Point2f[Face68.Count];
            for (var k = 0; k < Face68.Count; k++)
            {
                var x = flat[n * 2 * Face68.Count + 2 * k];
                var y = flat[n * 2 * Face68.Count + 2 * k + 1];
                points[k] = new Point2f(crop.X + x * crop.Width, crop.Y + y * crop.Height);
            }
            result[n] = points;
        }
        return result;
    }

    private Rect2f CropFor(Rect2f box)
    {
        var side = MathF.Max(box.Width, box.Height) * CropScale;
        var cx = box.X + box.Width / 2;
        var cy = box.Y + box.Height / 2 + CropShiftDown * box.Height;
        return new Rect2f(cx - side / 2, cy - side / 2, side, side);
    }

    /// <summary>Resamples the crop (zero outside the frame, as the net saw padding) into the planar RGB input.</summary>
    private unsafe void Sample(Mat frame, Rect2f crop, Span<float> destination)
    {
        var scale = crop.Width / InputSize;
        using var transform = new Mat(2, 3, MatType.CV_64FC1);
        transform.Set(0, 0, (double)scale); transform.Set(0, 1, 0.0); transform.Set(0, 2, (double)crop.X);
        transform.Set(1, 0, 0.0); transform.Set(1, 1, (double)scale); transform.Set(1, 2, (double)crop.Y);
        Cv2.WarpAffine(frame, _crop, transform, new Size(InputSize, InputSize),
            InterpolationFlags.Area | InterpolationFlags.WarpInverseMap, BorderTypes.Constant, Scalar.All(0));
        const int plane = InputSize * InputSize;
        var step = (long)_crop.Step();
        var data = (byte*)_crop.Data;
        for (var y = 0; y < InputSize; y++)
        {
            var row = data + y * step;
            for (var x = 0; x < InputSize; x++)
            {
                var i = y * InputSize + x;
                destination[i] = (row[3 * x + 2] - MeanRgb[0]) / 255f;
                destination[plane + i] = (row[3 * x + 1] - MeanRgb[1]) / 255f;
                destination[2 * plane + i] = (row[3 * x] - MeanRgb[2]) / 255f;
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _crop.Dispose();
    }
}
