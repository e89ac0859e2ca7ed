using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// An anonymization method as `deid eval` drives it. <see cref="Prepare"/> is called once, before any frame, with
/// every person of the input (a method that replaces a person by another plans each replacement there);
/// <see cref="Anonymize"/> then changes each frame in place. Only <see cref="Anonymize"/> is timed for the speed
/// figure. To evaluate a new method, write one adapter class and list it in <see cref="EvaluatedMethods"/>.
/// </summary>
public interface IEvaluatedMethod : IDisposable
{
    /// <summary>The name used on the command line and in reports, lower case.</summary>
    string Name { get; }

    void Prepare(EvaluationSubject subject);

    /// <param name="bgrFrame">8-bit BGR frame, changed in place.</param>
    /// <param name="faces">Every face of the frame to hide (tracked regions in a clip, detections in a photo).</param>
    /// <param name="identityKey">The person a face belongs to, one of <see cref="EvaluationSubject.SamplesByIdentity"/>'s keys.</param>
    void Anonymize(Mat bgrFrame, IReadOnlyList<FaceRegion> faces, Func<FaceRegion, string> identityKey);

    /// <summary>
    /// For a method that decides face by face (replace: a new face, or a blur and why), how many faces went each way
    /// so far; null for methods that treat every face alike.
    /// </summary>
    IReadOnlyList<FaceOutcomeCount>? Outcomes => null;

    /// <summary>What the last <see cref="Anonymize"/> did with one of its faces, in the words of <see cref="Outcomes"/>; null for methods that treat every face alike.</summary>
    string? OutcomeOf(FaceRegion face) => null;
}
