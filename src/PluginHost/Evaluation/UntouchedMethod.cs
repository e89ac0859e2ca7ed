using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The control: leaves every face as it is. It must score 100 % on identity leak and naturalness and keep pose and
/// expression exactly, which proves each measure can fail; the other methods read against it.
/// </summary>
public sealed class UntouchedMethod : IEvaluatedMethod
{
    public const string MethodName = "none";

    public string Name => MethodName;

    public void Prepare(EvaluationSubject subject) { }

    public void Anonymize(Mat bgrFrame, IReadOnlyList<FaceRegion> faces, Func<FaceRegion, string> identityKey) { }

    public void Dispose() { }
}
