namespace Deid.PluginHost.Evaluation;

/// <summary>
/// One confident face as a method left it, so a reader can find the faces behind a share: where it is (frame index,
/// the frame's label, track, identity), what the method did with it (<see cref="Outcome"/>, for methods that decide
/// face by face, else null), the recognizer's distance from the original and whether it leaks by the fair rule,
/// whether the detector still finds it (null when it did not find the source either), the largest head pose
/// difference in degrees, and whether eye and mouth opening were kept. On a clip, where the same track had a confident
/// face on the frame before: the recognizer distance between the two, in the source (<see cref="SourceChange"/>) and
/// in the output (<see cref="OutputChange"/>); null otherwise. <see cref="Repeatable"/>: which of the source's pose and
/// openings the landmarker reads alike half a pixel apart; <see cref="Openings"/>: the openings read on both.
/// </summary>
public sealed record FaceRecord(
    int Frame,
    string Label,
    int Track,
    string Identity,
    string? Outcome,
    double Distance,
    bool Leaked,
    bool? StillFound,
    double PoseDifferenceDegrees,
    bool PoseKept,
    bool EyesKept,
    bool MouthKept,
    double? SourceChange = null,
    double? OutputChange = null,
    RepeatableReading? Repeatable = null,
    OpeningReadings? Openings = null);
