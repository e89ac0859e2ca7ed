using System.Text.RegularExpressions;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Reports;
using Newtonsoft.Json.Linq;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Reports;

/// <summary>The redaction report's rows, counts and page, from faces whose treatment is known.</summary>
public sealed class RedactionReportTests
{
    private static readonly Rect2f Box = new(10, 10, 40, 48);

    private static RedactionHeader Header(OutputCheckResult? check = null) =>
        new("source.mp4", "out.mp4", "replace (seed 3)", 100, (25, 1), 640, 360, check ?? new OutputCheckResult(0, 0, []), DateTimeOffset.UnixEpoch);

    /// <summary>Track 1 and 2 are person 7, track 3 is person 4, track 9 belongs to nobody.</summary>
    private static int? IdentityOf(int track) => track switch { 1 or 2 => 7, 3 => 4, _ => null };

    private static IEnumerable<RenderedFace> Run(int track, int from, int to, FaceTreatment treatment) =>
        Enumerable.Range(from, to - from + 1).Select(frame => new RenderedFace(frame, track, Box, treatment));

    /// <summary>The numbers the page embeds for tools.</summary>
    internal static JObject Embedded(string html)
    {
        var match = Regex.Match(html, "<script type=\"application/json\" id=\"deid-redaction\">(.*?)</script>", RegexOptions.Singleline);
        Assert.True(match.Success, "the page embeds no numbers");
        return JObject.Parse(match.Groups[1].Value);
    }

    [Fact]
    public void Faces_are_counted_per_person_people_first_and_the_faces_of_nobody_last()
    {
        var faces = Run(1, 0, 9, FaceTreatment.NewFace).Concat(Run(2, 20, 24, FaceTreatment.Blurred)).Concat(Run(9, 0, 3, FaceTreatment.Hidden))
            .Concat(Run(3, 50, 59, FaceTreatment.Visible)).Concat([new RenderedFace(5, 1, Box, FaceTreatment.Filled)]);
        var report = RedactionReport.Build(Header(), faces, IdentityOf);

        Assert.Equal([(int?)4, 7, null], report.Rows.Select(row => row.Identity));
        var person = report.Rows[1];
        Assert.Equal([1, 2], person.TrackIds);
        Assert.Equal(10, person.Count(FaceTreatment.NewFace));
        Assert.Equal(5, person.Count(FaceTreatment.Blurred));
        Assert.Equal(1, person.Count(FaceTreatment.Filled));
        Assert.Equal(10, report.Rows[0].Count(FaceTreatment.Visible));
        Assert.Equal("No identity", report.Rows[2].Label);

        var json = Embedded(ToHtml(report));
        Assert.Equal(10, (int)json["totals"]!["visible"]!);
        Assert.Equal(10, (int)json["totals"]!["newFace"]!);
        Assert.Equal(4, (int)json["totals"]!["hidden"]!);
        Assert.Equal(16, (int)json["rows"]![1]!["faces"]!);
    }

    [Fact]
    public void The_faces_the_read_back_touched_are_picked_to_be_seen_first()
    {
        var faces = Run(1, 0, 99, FaceTreatment.NewFace).ToList();
        faces[40] = faces[40] with { Treatment = FaceTreatment.Filled };
        faces[41] = faces[41] with { Treatment = FaceTreatment.BlurredMore };
        var picks = RedactionReport.Build(Header(), faces, IdentityOf).Rows.Single().Picks;

        Assert.Equal(RedactionReport.MaxThumbnails, picks.Count);
        Assert.Contains(picks, face => face.Frame == 40);
        Assert.Contains(picks, face => face.Frame == 41);
        Assert.Equal(picks.OrderBy(face => face.Frame).Select(face => face.Frame), picks.Select(face => face.Frame));
        // The rest spread over the clip rather than bunched at its start.
        Assert.True(picks.Max(face => face.Frame) > 80 && picks.Min(face => face.Frame) < 20, string.Join(",", picks.Select(face => face.Frame)));
    }

    [Fact]
    public void The_page_warns_of_filled_faces_still_near_and_escapes_what_it_quotes()
    {
        var check = new OutputCheckResult(3, 2, [new RecognizedFace(85, 1, 0.58f, 0.52f)]);
        var header = Header(check) with { SourceName = "<b>clip</b>.mp4" };
        var html = ToHtml(RedactionReport.Build(header, Run(1, 80, 90, FaceTreatment.NewFace), IdentityOf));

        Assert.Contains("3 writings, 2 faces hidden more", html);
        Assert.Contains("still places within the match distance of their person (frames 85)", html);
        Assert.DoesNotContain("<b>clip</b>", html);
        Assert.Contains("&lt;b&gt;clip&lt;/b&gt;.mp4", html);
        var json = Embedded(html);
        Assert.Equal(85, (int)json["stillNear"]![0]!["frame"]!);
        // The legend names what the page shows, nothing else.
        Assert.Contains(">new face</span>", html);
        Assert.DoesNotContain("another new face", html);
        // Nothing was cropped from a file: no picture in the page.
        Assert.DoesNotContain("data:image/png", html);
    }

    [Fact]
    public void A_file_that_was_not_read_back_says_so()
    {
        var html = ToHtml(RedactionReport.Build(Header(), Run(3, 0, 4, FaceTreatment.Hidden), IdentityOf));
        Assert.Contains("was not read back", html);
        Assert.Equal(0, (int)Embedded(html)["writings"]!);
    }

    private static string ToHtml(RedactionReport report)
    {
        using var writer = new StringWriter();
        report.WriteHtml(writer);
        return writer.ToString();
    }
}
