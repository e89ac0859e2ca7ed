using System.Text.RegularExpressions;
using Deid.Effect.Analysis;
using Deid.PluginHost.Reports;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Reports;

public sealed class IdentitySheetTests
{
    private static IdentitySheet Sheet(string sourceName = "interview.mp4", int extraIdentities = 0)
    {
        var document = SyntheticAnalysis.Create(sourceName, extraIdentities);
        return new IdentitySheet(document, AnalysisFile.ToAnalysis(document));
    }

    private static string Row(string html, string id)
    {
        var match = Regex.Match(html, $"<tr (?:id|class)=\"{id}\">.*?</tr>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no row {id}");
        return match.Value;
    }

    [Fact]
    public void Summarises_people_and_faces_of_no_identity()
    {
        var sheet = Sheet();
        Assert.Equal([1, 2], sheet.People.Select(p => p.Id));
        var first = sheet.People[0];
        Assert.Equal(2, first.TrackCount);
        Assert.Equal(2.0, first.OnScreenSeconds, 6);
        Assert.Equal(IdentitySheet.MaxThumbnails, first.Thumbnails.Count);
        Assert.Equal(1.2, sheet.People[1].OnScreenSeconds, 6);
        Assert.Equal(1, sheet.Unidentified.TrackCount);
        Assert.Equal(0.4, sheet.Unidentified.OnScreenSeconds, 6);
        Assert.Equal(4.0, sheet.ClipSeconds, 6);
    }

    [Theory]
    [InlineData(25, 1, 0, "00:00.00")]
    [InlineData(25, 1, 74, "00:02.96")]
    [InlineData(2997, 100, 275, "00:09.18")]
    [InlineData(2997, 100, 2, "00:00.07")]
    [InlineData(30000, 1001, 1, "00:00.04")]
    [InlineData(25, 1, 90_000, "60:00.00")]
    public void Timecodes_are_frame_starts_in_minutes_seconds_and_hundredths_rounded_up(int numerator, int denominator, int frame, string expected)
    {
        var document = SyntheticAnalysis.Create();
        document.FrameRateNumerator = numerator;
        document.FrameRateDenominator = denominator;
        var sheet = new IdentitySheet(document, AnalysisFile.ToAnalysis(document));
        Assert.Equal(expected, sheet.Timecode(frame));
    }

    [Fact]
    public void Html_rows_show_number_times_tracks_and_timeline()
    {
        var html = Sheet().ToHtml();
        Assert.Contains("00:04.00 long", html);
        Assert.Contains("100 frames", html);

        var first = Row(html, "person-1");
        Assert.Contains("Person 1</td>", first);
        Assert.Contains("<td class=\"num\">00:00.00</td><td class=\"num\">00:02.96</td>", first);
        Assert.Contains("<td class=\"num\">2.00 s</td><td class=\"num\">2</td>", first);
        Assert.Contains("style=\"left:0%;width:25%\"", first);
        Assert.Contains("style=\"left:50%;width:25%\"", first);
        Assert.Equal(2, Regex.Count(first, "class=\"seg\""));

        var second = Row(html, "person-2");
        Assert.Contains("Person 2</td>", second);
        Assert.Contains("<td class=\"num\">00:00.40</td><td class=\"num\">00:01.56</td>", second);
        Assert.Contains("<td class=\"num\">1.20 s</td><td class=\"num\">1</td>", second);
        Assert.Contains("style=\"left:10%;width:30%\"", second);

        var nobody = Row(html, "unidentified");
        Assert.Contains("style=\"left:80%;width:10%\"", nobody);
        Assert.Contains("<td class=\"num\">0.40 s</td><td class=\"num\">1</td>", nobody);
        Assert.Contains("1 face track (0.40 s on screen) belongs to no person", html);
    }

    [Fact]
    public void Html_embeds_at_most_four_thumbnails_per_person_and_nothing_external()
    {
        var html = Sheet().ToHtml();
        Assert.Equal(4, Regex.Count(Row(html, "person-1"), "src=\"data:image/jpeg;base64,"));
        Assert.Equal(2, Regex.Count(Row(html, "person-2"), "src=\"data:image/jpeg;base64,"));
        Assert.Equal(6, Regex.Count(html, "data:image/"));
        Assert.Equal(6, Regex.Count(html, "<img "));
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("url(", html);
    }

    [Fact]
    public void Html_explains_how_to_keep_someone()
    {
        var html = Sheet().ToHtml();
        Assert.Contains("deid render interview.mp4 --analysis clip.deid --keep 1 -o anonymized.mp4", html);
        Assert.Contains("--selection people.json", html);
        Assert.Contains("&quot;identity&quot;: 1, &quot;anonymize&quot;: false", html);
    }

    [Fact]
    public void Html_escapes_the_source_name()
    {
        var html = Sheet("<script>alert('x')</script> & co.mp4").ToHtml();
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("alert('x')", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co.mp4", html);
    }

    [Fact]
    public void Html_without_people_says_so()
    {
        var document = SyntheticAnalysis.Create();
        document.Identities.Clear();
        var html = new IdentitySheet(document, AnalysisFile.ToAnalysis(document)).ToHtml();
        Assert.Contains("No person was identified", html);
        Assert.Contains("4 face tracks", html);
        Assert.DoesNotContain("<img ", html);
    }

    [Fact]
    public void Png_decodes_and_grows_with_the_number_of_people()
    {
        using var two = Cv2.ImDecode(Sheet().ToPng(), ImreadModes.Color);
        using var five = Cv2.ImDecode(Sheet(extraIdentities: 3).ToPng(), ImreadModes.Color);
        Assert.False(two.Empty());
        Assert.False(five.Empty());
        Assert.Equal(two.Width, five.Width);
        Assert.True(two.Width >= 1000, $"width {two.Width}");
        Assert.True(five.Height > two.Height, $"{five.Height} <= {two.Height}");
        Assert.Equal(0, (five.Height - two.Height) % 3);
    }

    [Fact]
    public void Png_draws_thumbnails_and_timeline_segments()
    {
        var sheet = Sheet();
        using var image = Cv2.ImDecode(sheet.ToPng(), ImreadModes.Color);
        using var grey = new Mat();
        Cv2.CvtColor(image, grey, ColorConversionCodes.BGR2GRAY);
        // Something is drawn besides the page: text, thumbnails, bars.
        Cv2.MinMaxLoc(grey, out double darkest, out double _);
        Assert.True(darkest < 80, $"darkest pixel {darkest}");
        Assert.True(Cv2.CountNonZero(grey.LessThan(200)) > 5000);
    }
}
