using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// The report as JSON: <c>{"format": "deid-eval", "version": 1, "input", "kind" ("photos" or "clip"), "frames",
/// "faces", "confidentFaces", "identities", "strength", "seed", "encoded" (judged after x264, `--encoded`), "methods": [{"method", "frames", "facesAnonymized",
/// "identity": {"faces", "withinThresholdShare", "leakedShare", "meanDistance"}, "naturalness": {"faces",
/// "stillFoundShare"}, "poseAndExpression": {"faces", "poseKeptShare", "eyesKeptShare", "mouthKeptShare",
/// "medianPoseDifferenceDegrees", "whereRepeatable": {"poseFaces", "poseKeptShare", "eyesFaces", "eyesKeptShare",
/// "mouthFaces", "mouthKeptShare"}}, "flicker": {"facePairs", "sourceMeanDifference", "outputMeanDifference", "ratio"}
/// or null for photos, "steadiness": {"facePairs", "medianSourceChange", "medianOutputChange", "changedPersonShare",
/// "treatmentChanges"} or null for photos, "speed": {"framesPerSecond", "millisecondsPerFace"}, "outcomes":
/// [{"outcome", "faces"}] or null (replace: how many of all faces got a new face, and how many were blurred, by reason),
/// "byPerson": [{"identity", "faces", "withinThresholdShare", "stillFoundShare", "poseKeptShare", "eyesKeptShare",
/// "mouthKeptShare"}] (the person with the most confident faces first), "faceRecords": [{"frame", "label", "track",
/// "identity", "outcome", "distance", "leaked", "stillFound", "poseDifferenceDegrees", "poseKept", "eyesKept",
/// "mouthKept", "sourceChange", "outputChange", "repeatable": {"pose", "eyes", "mouth"}, "openings": {"sourceEyes",
/// "outputEyes", "sourceMouth", "outputMouth"}}] (every confident face, see <see cref="FaceRecord"/>)}]}</c>. Shares are 0..1; null where no face qualified.
/// </summary>
public static class EvaluationJson
{
    public const string Format = "deid-eval";
    public const int Version = 1;

    private static readonly JsonSerializerSettings Settings = new()
    {
        ContractResolver = new CamelCasePropertyNamesContractResolver(),
        Formatting = Formatting.Indented,
        FloatFormatHandling = FloatFormatHandling.DefaultValue,
    };

    public static string ToJson(EvaluationReport report)
    {
        var document = new { format = Format, version = Version };
        var head = Newtonsoft.Json.Linq.JObject.FromObject(document);
        head.Merge(Newtonsoft.Json.Linq.JObject.FromObject(report, JsonSerializer.Create(Settings)));
        return head.ToString(Formatting.Indented) + "\n";
    }
}
