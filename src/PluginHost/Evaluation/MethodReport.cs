namespace Deid.PluginHost.Evaluation;

/// <summary>
/// How one method did. Shares are 0..1 and null where no face qualified for them; see each part for which faces
/// count.
/// </summary>
public sealed record MethodReport(
    string Method,
    int Frames,
    int FacesAnonymized,
    IdentityScores Identity,
    NaturalnessScores Naturalness,
    PoseExpressionScores PoseAndExpression,
    FlickerScores? Flicker,
    SteadinessScores? Steadiness,
    SpeedScores Speed,
    IReadOnlyList<FaceOutcomeCount>? Outcomes = null,
    IReadOnlyList<PersonScores>? ByPerson = null,
    IReadOnlyList<FaceRecord>? FaceRecords = null);

/// <summary>
/// On confident faces: the share whose output is within the recognizer's match threshold (0.6) of the original
/// (raw), the share that leaks by the fair rule of <see cref="Effect.Evaluation.IdentityLeakJudge"/>, and the mean
/// distance. Lower shares hide better.
/// </summary>
public sealed record IdentityScores(int Faces, double? WithinThresholdShare, double? LeakedShare, double? MeanDistance);

/// <summary>
/// Of the confident faces the detector finds in a crop of the source, the share it still finds at the same place
/// (IoU at least 0.3) in the same crop of the output. Higher looks more like a face.
/// </summary>
public sealed record NaturalnessScores(int Faces, double? StillFoundShare);

/// <summary>
/// On confident faces, 68 landmarks fitted at the source box on original and output: the share whose head pose is
/// within 5 degrees on every axis, whose eye opening is within 15 %, whose mouth opening is within 15 % (at least
/// 0.03 of the mouth's width); and the median largest pose difference. <see cref="WhereRepeatable"/>: the same shares
/// over only the faces whose reading of each measure is repeatable (<see cref="RepeatableReading"/>).
/// </summary>
public sealed record PoseExpressionScores(int Faces, double? PoseKeptShare, double? EyesKeptShare, double? MouthKeptShare, double? MedianPoseDifferenceDegrees,
    RepeatableScores? WhereRepeatable = null);

/// <summary>
/// Pose, eyes and mouth kept, each over the faces whose reading of it the landmarker repeats half a pixel apart
/// (<see cref="PoseFaces"/>, <see cref="EyesFaces"/>, <see cref="MouthFaces"/> of them): what a method loses
/// beyond the landmarker's own noise.
/// </summary>
public sealed record RepeatableScores(int PoseFaces, double? PoseKeptShare, int EyesFaces, double? EyesKeptShare, int MouthFaces, double? MouthKeptShare);

/// <summary>
/// The identity, naturalness and pose and expression shares over one person's confident faces (<see cref="Identity"/>
/// as in <see cref="FaceRecord.Identity"/>): a share over all faces can hide that one person, small or turned or out of
/// focus, carries most of the misses.
/// </summary>
public sealed record PersonScores(string Identity, int Faces, double? WithinThresholdShare, double? StillFoundShare, double? PoseKeptShare,
    double? EyesKeptShare, double? MouthKeptShare);

/// <summary>
/// Clips only: over every face seen in two consecutive frames (same track), the mean frame-to-frame difference
/// inside the face's ellipses, of the source and of the output, and their ratio output / source (above 1: the
/// method adds flicker).
/// </summary>
public sealed record FlickerScores(int FacePairs, double? SourceMeanDifference, double? OutputMeanDifference, double? Ratio);

/// <summary>
/// Clips only: whether a person keeps one face from frame to frame. Over every confident face whose track had a
/// confident face on the frame before, the recognizer distance between the two, in the source and in the output
/// (medians); and of the pairs the recognizer calls one person in the source (within 0.6), the share it calls two
/// people in the output: a face that changes to someone else between two frames (lower is steadier). For a method
/// that decides face by face (replace), also how many of those pairs it treated differently: the person's own new
/// face on one frame and another of theirs, or a blur, on the next.
/// </summary>
public sealed record SteadinessScores(int FacePairs, double? MedianSourceChange, double? MedianOutputChange, double? ChangedPersonShare, int? TreatmentChanges);

/// <summary>The method's own time (anonymizing only, no measuring): frames per second and milliseconds per face.</summary>
public sealed record SpeedScores(double? FramesPerSecond, double? MillisecondsPerFace);
