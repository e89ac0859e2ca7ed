using Deid.PluginHost.Reports;
using Newtonsoft.Json.Linq;

namespace Deid.PluginHost.Tests.Reports;

public sealed class AnalysisJsonTests
{
    private static JObject Export(string sourceName = "interview.mp4") =>
        JObject.Parse(AnalysisJson.ToJson(SyntheticAnalysis.Create(sourceName)));

    [Fact]
    public void Header_describes_the_clip()
    {
        var json = Export();
        Assert.Equal("deid-analysis-json", (string?)json["format"]);
        Assert.Equal(1, (int)json["version"]!);
        Assert.Equal("interview.mp4", (string?)json["source"]);
        Assert.Equal("0123456789abcdef", (string?)json["fingerprint"]);
        Assert.Equal(640, (int)json["width"]!);
        Assert.Equal(360, (int)json["height"]!);
        Assert.Equal("25/1", (string?)json["frameRate"]);
        Assert.Equal(SyntheticAnalysis.FrameCount, (int)json["frameCount"]!);
        Assert.Equal([SyntheticAnalysis.CutFrame], json["cuts"]!.Select(c => (int)c));
    }

    [Fact]
    public void Identities_list_their_span_and_tracks()
    {
        var identities = (JArray)Export()["identities"]!;
        Assert.Equal(2, identities.Count);
        var first = identities[0];
        Assert.Equal(1, (int)first["identity"]!);
        Assert.Equal(0, (int)first["firstFrame"]!);
        Assert.Equal(74, (int)first["lastFrame"]!);
        Assert.Equal(0.0, (double)first["firstTime"]!);
        Assert.Equal(2.96, (double)first["lastTime"]!);
        Assert.Equal([1, 2], first["tracks"]!.Select(t => (int)t));
        Assert.Equal([3], identities[1]["tracks"]!.Select(t => (int)t));
    }

    [Fact]
    public void Every_frame_lists_its_faces_with_track_and_identity()
    {
        var frames = (JArray)Export()["frames"]!;
        Assert.Equal(SyntheticAnalysis.FrameCount, frames.Count);
        for (var i = 0; i < frames.Count; i++) Assert.Equal(i, (int)frames[i]["frame"]!);
        Assert.Equal(SyntheticAnalysis.Tracks.Sum(t => t.Last - t.First + 1), frames.Sum(f => ((JArray)f["faces"]!).Count));
        Assert.Empty((JArray)frames[45]["faces"]!);

        var frame12 = frames[12];
        Assert.Equal(0.48, (double)frame12["time"]!);
        var faces = (JArray)frame12["faces"]!;
        Assert.Equal([1, 3], faces.Select(f => (int)f["track"]!));
        Assert.Equal([1, 2], faces.Select(f => (int?)f["identity"]));

        var face = faces[0];
        Assert.Equal([22.0, 20.0, 30.46, 40.0], face["box"]!.Select(v => (double)v));
        Assert.Equal(0.932, (double)face["score"]!);
        var landmarks = (JArray)face["landmarks"]!;
        Assert.Equal(5, landmarks.Count);
        Assert.All(landmarks, point => Assert.Equal(2, ((JArray)point).Count));
        Assert.Equal(22.13, (double)landmarks[0][0]!);
        Assert.Equal(30.0, (double)landmarks[0][1]!);
    }

    [Fact]
    public void Faces_of_no_identity_have_a_null_identity()
    {
        var face = ((JArray)Export()["frames"]![85]!["faces"]!).Single();
        Assert.Equal(4, (int)face["track"]!);
        Assert.Equal(JTokenType.Null, face["identity"]!.Type);
    }

    [Fact]
    public void Text_is_escaped_and_one_frame_is_one_line()
    {
        var text = AnalysisJson.ToJson(SyntheticAnalysis.Create("say \"hi\"\n.mp4"));
        Assert.Equal("say \"hi\"\n.mp4", (string?)JObject.Parse(text)["source"]);
        Assert.Contains("\n    {\"frame\":12,\"time\":0.48,\"faces\":[{\"box\":[22.0,20.0,30.46,40.0],", text);
    }
}
