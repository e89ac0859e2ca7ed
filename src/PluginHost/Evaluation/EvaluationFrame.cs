using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>One frame or photo to evaluate, with every face in it. <see cref="Image"/> is valid until the next frame.</summary>
public sealed record EvaluationFrame(int Index, string Label, Mat Image, IReadOnlyList<FaceRegion> Faces);
