using Deid.Effect.Inference;
using Deid.Effect.Models;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Deid.Effect.Detection;

/// <summary>
/// YuNet run directly in ONNX Runtime with its own decoder: input BGR, raw 0..255, NCHW, padded to a multiple of 32;
/// three strides with one prior per cell. Runs one pass per scale of <see cref="DetectorOptions.ScalesFor"/> and
/// merges the passes with non-maximum suppression; a finer pass contributes only faces too small for the pass
/// before it.
/// </summary>
public sealed class YuNetDetector : IFaceDetector, IDisposable
{
    private static readonly int[] Strides = [8, 16, 32];
    private static readonly string[] OutputNames =
        Strides.SelectMany(s => new[] { $"cls_{s}", $"obj_{s}", $"bbox_{s}", $"kps_{s}" }).ToArray();

    /// <summary>
    /// A finer pass keeps only faces smaller than this many pixels in the next-coarser pass. A face that large is
    /// found there reliably (score 0.9+ measured), while the finer pass, seeing it beyond its receptive field, reports
    /// fragments of it that NMS cannot merge because a part of a big box has a small IoU with it: boxes 370-770 px
    /// tall at scores up to 0.74 on a 1920 px close-up and up to 0.72 on a 4K one.
    /// </summary>
    private const float FinerPassFaceLimit = 48f;

    private readonly InferenceSession _session;
    private readonly object _gate = new();
    private readonly Mat _resized = new();
    private float[] _input = [];

    public YuNetDetector(InferenceSessionFactory sessions, ModelLocator models, DetectorOptions? options = null)
    {
        Options = options ?? new DetectorOptions();
        _session = sessions.Create(models.Resolve(ModelCatalog.Detector));
    }

    public DetectorOptions Options { get; }

    public IReadOnlyList<FaceDetection> Detect(Mat bgrFrame) => Detect(bgrFrame, finePasses: true);

    public IReadOnlyList<FaceDetection> Detect(Mat bgrFrame, int frameIndex) =>
        Detect(bgrFrame, finePasses: frameIndex % Math.Max(1, Options.FinePassInterval) == 0);

    private IReadOnlyList<FaceDetection> Detect(Mat bgrFrame, bool finePasses)
    {
        if (bgrFrame.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"detector expects an 8-bit BGR frame, got {bgrFrame.Type()}", nameof(bgrFrame));

        var found = new List<FaceDetection>();
        lock (_gate)
        {
            var scales = Options.ScalesFor(bgrFrame.Width, bgrFrame.Height);
            for (var i = 0; i < (finePasses ? scales.Count : 1); i++)
            {
                var maxFaceHeight = i == 0 ? float.PositiveInfinity : FinerPassFaceLimit / scales[i - 1];
                RunPass(bgrFrame, scales[i], maxFaceHeight, found);
            }
        }
        return NonMaxSuppression.Apply(found, Options.NmsIouThreshold);
    }

    private void RunPass(Mat frame, float scale, float maxFaceHeight, List<FaceDetection> found)
    {
        var width = Math.Max(1, (int)MathF.Round(frame.Width * scale));
        var height = Math.Max(1, (int)MathF.Round(frame.Height * scale));
        var source = frame;
        if (width != frame.Width || height != frame.Height)
        {
            Cv2.Resize(frame, _resized, new Size(width, height), 0, 0, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
            source = _resized;
        }
        var paddedWidth = (width + 31) / 32 * 32;
        var paddedHeight = (height + 31) / 32 * 32;
        FillInput(source, paddedWidth, paddedHeight);

        var shape = new long[] { 1, 3, paddedHeight, paddedWidth };
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
            _input.AsMemory(0, 3 * paddedWidth * paddedHeight), shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, ["input"], [input], OutputNames);

        var inverse = 1f / scale;
        for (var i = 0; i < Strides.Length; i++)
        {
            Decode(Strides[i], paddedWidth / Strides[i],
                outputs[4 * i].GetTensorDataAsSpan<float>(), outputs[4 * i + 1].GetTensorDataAsSpan<float>(),
                outputs[4 * i + 2].GetTensorDataAsSpan<float>(), outputs[4 * i + 3].GetTensorDataAsSpan<float>(),
                inverse, width * inverse, height * inverse, maxFaceHeight, found);
        }
    }

    private void Decode(int stride, int columns, ReadOnlySpan<float> cls, ReadOnlySpan<float> obj,
        ReadOnlySpan<float> bbox, ReadOnlySpan<float> kps, float inverse, float frameWidth, float frameHeight,
        float maxFaceHeight, List<FaceDetection> found)
    {
        var threshold = Options.ScoreThreshold;
        for (var index = 0; index < cls.Length; index++)
        {
            var score = MathF.Sqrt(Math.Clamp(cls[index], 0f, 1f) * Math.Clamp(obj[index], 0f, 1f));
            if (score < threshold) continue;

            var row = index / columns;
            var col = index % columns;
            var b = bbox.Slice(index * 4, 4);
            var cx = (col + b[0]) * stride;
            var cy = (row + b[1]) * stride;
            var w = MathF.Exp(b[2]) * stride;
            var h = MathF.Exp(b[3]) * stride;
            var box = new Rect2f((cx - w / 2) * inverse, (cy - h / 2) * inverse, w * inverse, h * inverse);
            // Boxes centred in the zero padding are artefacts of the padding, not faces.
            if (box.X + box.Width / 2 > frameWidth || box.Y + box.Height / 2 > frameHeight) continue;
            if (box.Height > maxFaceHeight) continue;

            var k = kps.Slice(index * 10, 10);
            var landmarks = new Point2f[FaceDetection.LandmarkCount];
            for (var p = 0; p < landmarks.Length; p++)
            {
                landmarks[p] = new Point2f((k[2 * p] + col) * stride * inverse, (k[2 * p + 1] + row) * stride * inverse);
            }
            found.Add(new FaceDetection(box, landmarks, score));
        }
    }

    private unsafe void FillInput(Mat source, int paddedWidth, int paddedHeight)
    {
        var plane = paddedWidth * paddedHeight;
        if (_input.Length < 3 * plane) _input = new float[3 * plane];
        Array.Clear(_input, 0, 3 * plane);

        var width = source.Width;
        var height = source.Height;
        var step = (long)source.Step();
        var data = (byte*)source.Data;
        fixed (float* input = _input)
        {
            for (var y = 0; y < height; y++)
            {
                var row = data + y * step;
                var b = input + y * paddedWidth;
                var g = b + plane;
                var r = g + plane;
                for (var x = 0; x < width; x++)
                {
                    b[x] = row[3 * x];
                    g[x] = row[3 * x + 1];
                    r[x] = row[3 * x + 2];
                }
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _resized.Dispose();
    }
}
