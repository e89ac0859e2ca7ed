using Deid.Effect.Inference;
using Deid.Effect.Models;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Deid.Effect.Recognition;

/// <summary>
/// dlib's ResNet face recognizer (128-D): RGB chips of 150x150, (pixel - mean) / 256, Euclidean distance,
/// same person at 0.6 or less.
/// </summary>
public sealed class ResNetFaceEmbedder : IFaceEmbedder, IDisposable
{
    private const int Dimensions = 128;
    private static readonly float[] MeanRgb = [122.782f, 117.001f, 104.298f];

    private readonly InferenceSession _session;

    public ResNetFaceEmbedder(InferenceSessionFactory sessions, ModelLocator models) =>
        _session = sessions.Create(models.Resolve(ModelCatalog.Recognizer));

    public float MatchThreshold => 0.6f;

    public float[][] Embed(IReadOnlyList<Mat> alignedChips)
    {
        if (alignedChips.Count == 0) return [];
        const int size = FaceAligner.ChipSize;
        const int plane = size * size;
        var input = new float[alignedChips.Count * 3 * plane];
        for (var n = 0; n < alignedChips.Count; n++)
        {
            var chip = alignedChips[n];
            if (chip.Width != size || chip.Height != size || chip.Type() != MatType.CV_8UC3)
                throw new ArgumentException($"chip {n} must be {size}x{size} BGR 8-bit");
            Fill(chip, input.AsSpan(n * 3 * plane, 3 * plane));
        }

        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [alignedChips.Count, 3, size, size]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, ["input"], [tensor], ["embedding"]);
        var flat = outputs[0].GetTensorDataAsSpan<float>();
        var result = new float[alignedChips.Count][];
        for (var n = 0; n < result.Length; n++) result[n] = flat.Slice(n * Dimensions, Dimensions).ToArray();
        return result;
    }

    public float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Identities.EmbeddingMath.Distance(a, b);

    private static unsafe void Fill(Mat chip, Span<float> destination)
    {
        const int plane = FaceAligner.ChipSize * FaceAligner.ChipSize;
        var step = (long)chip.Step();
        var data = (byte*)chip.Data;
        for (var y = 0; y < FaceAligner.ChipSize; y++)
        {
            var row = data + y * step;
            for (var x = 0; x < FaceAligner.ChipSize; x++)
            {
                var i = y * FaceAligner.ChipSize + x;
                destination[i] = (row[3 * x + 2] - MeanRgb[0]) / 256f;
                destination[plane + i] = (row[3 * x + 1] - MeanRgb[1]) / 256f;
                destination[2 * plane + i] = (row[3 * x] - MeanRgb[2]) / 256f;
            }
        }
    }

    public void Dispose() => _session.Dispose();
}
