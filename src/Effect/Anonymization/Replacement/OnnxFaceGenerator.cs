using Deid.Effect.Inference;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// An ONNX face generator with the contract of docs/GENERATOR.md: inputs `face` float32 [1,3,S,S] (RGB, 0..1,
/// canonical alignment) and `identity` float32 [1,128]; outputs `image` float32 [1,3,S,S] (RGB, 0..1) and `mask`
/// float32 [1,1,S,S] (0..1). A model that does not have exactly these names and shapes is refused when loaded,
/// so a wrong model can never run on a frame.
/// </summary>
public sealed class OnnxFaceGenerator : IFaceGenerator, IDisposable
{
    public const string FaceInput = "face";
    public const string IdentityInput = "identity";
    public const string ImageOutput = "image";
    public const string MaskOutput = "mask";

    private readonly InferenceSession _session;

    public OnnxFaceGenerator(InferenceSessionFactory sessions, string modelPath)
    {
        if (!File.Exists(modelPath)) throw new FaceGeneratorException($"face generator '{modelPath}' does not exist");
        try { _session = sessions.Create(modelPath); }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException)
        {
            throw new FaceGeneratorException($"face generator '{modelPath}' could not be loaded: {e.Message}", e);
        }
        try { Size = CheckContract(_session, modelPath); }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public int Size { get; }

    public unsafe void Generate(Mat alignedFace, ReadOnlySpan<float> identity, Mat image, Mat mask)
    {
        if (alignedFace.Width != Size || alignedFace.Height != Size || alignedFace.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"the generator takes {Size}x{Size} BGR 8-bit faces");
        if (identity.Length != IdentityTransform.EmbeddingLength)
            throw new ArgumentException($"the identity must have {IdentityTransform.EmbeddingLength} values");
        var plane = Size * Size;
        var input = new float[3 * plane];
        for (var y = 0; y < Size; y++)
        {
            var row = (byte*)alignedFace.Ptr(y);
            for (var x = 0; x < Size; x++)
            {
                var i = y * Size + x;
                input[i] = row[3 * x + 2] / 255f;
                input[plane + i] = row[3 * x + 1] / 255f;
                input[2 * plane + i] = row[3 * x] / 255f;
            }
        }
        using var faceTensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, Size, Size]);
        using var identityTensor = OrtValue.CreateTensorValueFromMemory(identity.ToArray(), [1, IdentityTransform.EmbeddingLength]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, [FaceInput, IdentityInput], [faceTensor, identityTensor], [ImageOutput, MaskOutput]);
        var pixels = outputs[0].GetTensorDataAsSpan<float>();
        var weights = outputs[1].GetTensorDataAsSpan<float>();
        if (pixels.Length != 3 * plane || weights.Length != plane)
            throw new FaceGeneratorException($"the generator answered {pixels.Length} image and {weights.Length} mask values, expected {3 * plane} and {plane}");

        image.Create(Size, Size, MatType.CV_8UC3);
        mask.Create(Size, Size, MatType.CV_32FC1);
        for (var y = 0; y < Size; y++)
        {
            var row = (byte*)image.Ptr(y);
            var maskRow = (float*)mask.Ptr(y);
            for (var x = 0; x < Size; x++)
            {
                var i = y * Size + x;
                row[3 * x] = ToByte(pixels[2 * plane + i]);
                row[3 * x + 1] = ToByte(pixels[plane + i]);
                row[3 * x + 2] = ToByte(pixels[i]);
                var m = weights[i];
                maskRow[x] = float.IsFinite(m) ? Math.Clamp(m, 0f, 1f) : 0f;
            }
        }
    }

    private static byte ToByte(float value) => float.IsFinite(value) ? (byte)Math.Clamp((int)MathF.Round(value * 255f), 0, 255) : (byte)0;

    /// <summary>Checks names, element types and shapes against the contract; returns S.</summary>
    private static int CheckContract(InferenceSession session, string path)
    {
        var problems = new List<string>();
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        var size = 0;
        if (Find(inputs, FaceInput, problems, "input") is { } face && Shape(face, FaceInput, 4, problems) is { } faceShape)
        {
            if (faceShape[1] != 3 || faceShape[2] <= 0 || faceShape[2] != faceShape[3])
                problems.Add($"input '{FaceInput}' must be [1,3,S,S] with a fixed S, is [{string.Join(",", faceShape)}]");
            else size = faceShape[2];
        }
        if (Find(inputs, IdentityInput, problems, "input") is { } identity && Shape(identity, IdentityInput, 2, problems) is { } identityShape
            && identityShape[1] != IdentityTransform.EmbeddingLength)
            problems.Add($"input '{IdentityInput}' must be [1,{IdentityTransform.EmbeddingLength}], is [{string.Join(",", identityShape)}]");
        if (Find(outputs, ImageOutput, problems, "output") is { } image && Shape(image, ImageOutput, 4, problems) is { } imageShape
            && size > 0 && !Matches(imageShape, [1, 3, size, size]))
            problems.Add($"output '{ImageOutput}' must be [1,3,{size},{size}], is [{string.Join(",", imageShape)}]");
        if (Find(outputs, MaskOutput, problems, "output") is { } mask && Shape(mask, MaskOutput, 4, problems) is { } maskShape
            && size > 0 && !Matches(maskShape, [1, 1, size, size]))
            problems.Add($"output '{MaskOutput}' must be [1,1,{size},{size}], is [{string.Join(",", maskShape)}]");
        if (inputs.Count != 2) problems.Add($"expected exactly the inputs '{FaceInput}' and '{IdentityInput}', found {string.Join(", ", inputs.Keys)}");
        if (problems.Count > 0)
            throw new FaceGeneratorException($"face generator '{path}' does not follow the contract (docs/GENERATOR.md): {string.Join("; ", problems)}");
        return size;
    }

    private static NodeMetadata? Find(IReadOnlyDictionary<string, NodeMetadata> nodes, string name, List<string> problems, string kind)
    {
        if (!nodes.TryGetValue(name, out var node))
        {
            problems.Add($"no {kind} named '{name}' (has {string.Join(", ", nodes.Keys)})");
            return null;
        }
        if (!node.IsTensor || node.ElementType != typeof(float))
        {
            problems.Add($"{kind} '{name}' must be a float32 tensor");
            return null;
        }
        return node;
    }

    private static int[]? Shape(NodeMetadata node, string name, int rank, List<string> problems)
    {
        var shape = node.Dimensions;
        if (shape.Length != rank)
        {
            problems.Add($"'{name}' must have {rank} dimensions, has {shape.Length}");
            return null;
        }
        // A symbolic batch dimension (-1) is accepted: one face is sent at a time.
        if (shape[0] != 1 && shape[0] != -1) problems.Add($"'{name}' must have batch 1, has {shape[0]}");
        return shape;
    }

    /// <summary>Equal, a symbolic batch dimension (-1) counting as 1.</summary>
    private static bool Matches(int[] shape, int[] expected)
    {
        if (shape.Length != expected.Length) return false;
        for (var i = 0; i < shape.Length; i++)
            if (shape[i] != expected[i] && !(i == 0 && shape[i] == -1)) return false;
        return true;
    }

    public void Dispose() => _session.Dispose();
}
