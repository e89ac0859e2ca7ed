namespace Deid.Effect.Models;

/// <summary>The models Deid ships with. A file is used only when its SHA-256 matches this table.</summary>
public static class ModelCatalog
{
    public static readonly ModelInfo Detector = new(
        "detector", "yunet_dynamic.onnx",
        "daede24002cc8590f457998cc5e6c9e8b82f45f6bd969506a8913cd4ed10a2d3",
        "MIT", "libfacedetection.train, onnx/yunet_s_dynamic.onnx (YuNet, dynamic input size)",
        "face detection with 5 landmarks");

    public static readonly ModelInfo Recognizer = new(
        "recognizer", "face_recognition_resnet128_u8.onnx",
        "6129b5029c7742feb628069fb2b6d12a24a924b148a61c8c34e6c397658e3758",
        "MIT (face-api.js); weights public domain (dlib)", "face-api.js face_recognition_model, converted to ONNX",
        "128-D face embedding, same person at Euclidean distance <= 0.6");

    public static readonly ModelInfo Landmarks68 = new(
        "landmarks68", "face_landmark68.onnx",
        "c18d47367299e48cf6688f3fbd932f6313b57fb621f6fd09e421538c6566495b",
        "MIT (face-api.js)", "face-api.js face_landmark_68_model, converted to ONNX",
        "68-point facial landmarks");

    public static IReadOnlyList<ModelInfo> All { get; } = [Detector, Recognizer, Landmarks68];

    public static ModelInfo ByName(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", All.Select(m => m.Name))})");
}
