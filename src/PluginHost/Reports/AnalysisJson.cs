using System.Globalization;
using System.Text;
using Deid.Effect.Analysis;
using Newtonsoft.Json;

namespace Deid.PluginHost.Reports;

/// <summary>
/// Exports an analysis as plain JSON for people and tools downstream (the .deid file itself is compressed
/// MessagePack and may change with the engine). Streamed, one line per frame, so an hour of footage never has to
/// sit in memory as a tree. Schema, version 1:
/// <code>
/// {
///   "format": "deid-analysis-json", "version": 1,
///   "source": "clip.mp4",              // file name the analysis was made from
///   "fingerprint": "…",                // content hash of the clip
///   "width": 1920, "height": 1080,     // frame size in pixels
///   "frameRate": "30000/1001",         // exact, as numerator/denominator
///   "frameCount": 275,
///   "cuts": [ 20, 82, 211 ],           // frames that start a new shot (no track runs across one)
///   "identities": [                    // people, numbered from 1 in order of first appearance
///     { "identity": 1, "firstFrame": 0, "lastFrame": 120, "firstTime": 0.0, "lastTime": 4.004, "tracks": [ 1, 4 ] } ],
///   "frames": [                        // every frame of the clip, in order; "frame" equals the index
///     { "frame": 0, "time": 0.0, "faces": [
///       { "box": [ x, y, w, h ],       // top-left corner and size, frame pixels
///         "score": 0.93,               // detector confidence, 0..1
///         "track": 4,                  // the face track this detection belongs to
///         "identity": 2,               // or null: a face of no identity (anonymized by default)
///         "landmarks": [ [ x, y ], … ] } ] } ]  // 5 points: eye, eye, nose tip, mouth corner, mouth corner (image left first)
/// }
/// </code>
/// Times are seconds from the first frame (frame × denominator / numerator). Pixels are rounded to 2 decimals,
/// scores and seconds to 3.
/// </summary>
public static class AnalysisJson
{
    public const string Format = "deid-analysis-json";
    public const int Version = 1;

    public static void Write(AnalysisDocument document, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        var identityOfTrack = new Dictionary<int, int>();
        foreach (var identity in document.Identities)
            foreach (var track in identity.TrackIds) identityOfTrack[track] = identity.Id;

        using var json = new JsonTextWriter(output) { Formatting = Formatting.Indented, Indentation = 2, CloseOutput = false, Culture = CultureInfo.InvariantCulture };
        json.WriteStartObject();
        json.WritePropertyName("format"); json.WriteValue(Format);
        json.WritePropertyName("version"); json.WriteValue(Version);
        json.WritePropertyName("source"); json.WriteValue(document.SourceName);
        json.WritePropertyName("fingerprint"); json.WriteValue(document.Fingerprint);
        json.WritePropertyName("width"); json.WriteValue(document.Width);
        json.WritePropertyName("height"); json.WriteValue(document.Height);
        json.WritePropertyName("frameRate");
        json.WriteValue(string.Create(CultureInfo.InvariantCulture, $"{document.FrameRateNumerator}/{document.FrameRateDenominator}"));
        json.WritePropertyName("frameCount"); json.WriteValue(document.Detections.Count);
        json.WritePropertyName("cuts");
        json.WriteStartArray();
        foreach (var cut in document.CutFrames ?? []) json.WriteValue(cut);
        json.WriteEndArray();

        json.WritePropertyName("identities");
        json.WriteStartArray();
        foreach (var identity in document.Identities.OrderBy(i => i.Id))
        {
            OneLineObject(json, () =>
            {
                json.WritePropertyName("identity"); json.WriteValue(identity.Id);
                json.WritePropertyName("firstFrame"); json.WriteValue(identity.FirstFrame);
                json.WritePropertyName("lastFrame"); json.WriteValue(identity.LastFrame);
                json.WritePropertyName("firstTime"); json.WriteValue(Seconds(document, identity.FirstFrame));
                json.WritePropertyName("lastTime"); json.WriteValue(Seconds(document, identity.LastFrame));
                json.WritePropertyName("tracks");
                json.WriteStartArray();
                foreach (var track in identity.TrackIds.Order()) json.WriteValue(track);
                json.WriteEndArray();
            });
        }
        json.WriteEndArray();

        json.WritePropertyName("frames");
        json.WriteStartArray();
        for (var frame = 0; frame < document.Detections.Count; frame++)
        {
            var flat = document.Detections[frame];
            var tracks = document.TrackOfDetection[frame];
            OneLineObject(json, () =>
            {
                json.WritePropertyName("frame"); json.WriteValue(frame);
                json.WritePropertyName("time"); json.WriteValue(Seconds(document, frame));
                json.WritePropertyName("faces");
                json.WriteStartArray();
                for (var i = 0; i < tracks.Length; i++)
                {
                    var v = flat.AsSpan(i * AnalysisDocument.ValuesPerDetection, AnalysisDocument.ValuesPerDetection);
                    json.WriteStartObject();
                    json.WritePropertyName("box");
                    json.WriteStartArray();
                    for (var k = 0; k < 4; k++) json.WriteValue(Pixels(v[k]));
                    json.WriteEndArray();
                    json.WritePropertyName("score"); json.WriteValue(Math.Round((double)v[4], 3, MidpointRounding.AwayFromZero));
                    json.WritePropertyName("track"); json.WriteValue(tracks[i]);
                    json.WritePropertyName("identity");
                    if (identityOfTrack.TryGetValue(tracks[i], out var id)) json.WriteValue(id); else json.WriteNull();
                    json.WritePropertyName("landmarks");
                    json.WriteStartArray();
                    for (var p = 0; p < (AnalysisDocument.ValuesPerDetection - 5) / 2; p++)
                    {
                        json.WriteStartArray();
                        json.WriteValue(Pixels(v[5 + 2 * p]));
                        json.WriteValue(Pixels(v[6 + 2 * p]));
                        json.WriteEndArray();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteLine();
    }

    public static string ToJson(AnalysisDocument document)
    {
        var builder = new StringBuilder();
        using (var writer = new StringWriter(builder, CultureInfo.InvariantCulture)) Write(document, writer);
        return builder.ToString();
    }

    /// <summary>
    /// Writes one array element as an object on a single line: the outline stays indented and readable while a frame
    /// with five faces does not take a hundred lines. The writer breaks the line when a token starts, so formatting
    /// is switched off only after the opening brace and back on after the closing one.
    /// </summary>
    private static void OneLineObject(JsonTextWriter json, Action writeProperties)
    {
        json.WriteStartObject();
        json.Formatting = Formatting.None;
        writeProperties();
        json.WriteEndObject();
        json.Formatting = Formatting.Indented;
    }

    private static double Pixels(float value) => Math.Round((double)value, 2, MidpointRounding.AwayFromZero);

    private static double Seconds(AnalysisDocument document, int frame) =>
        Math.Round((double)frame * document.FrameRateDenominator / document.FrameRateNumerator, 3, MidpointRounding.AwayFromZero);
}
