using System.Globalization;
using System.Net;
using Deid.Effect.Analysis;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Reports;

/// <summary>
/// A contact sheet of the people in an analysed clip, for deciding whom to keep: per identity its face crops, when it
/// first and last appears, how long it is on screen, and a timeline of its tracks; then the faces of no identity.
/// Written as one self-contained HTML file (nothing is fetched, so it can be mailed or archived beside the clip) or as
/// a PNG. Times are frame start times; on-screen time counts every frame from a track's first to its last detection,
/// overlapping tracks once.
/// </summary>
public sealed class IdentitySheet
{
    public const int MaxThumbnails = 4;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly int _rateNumerator;
    private readonly int _rateDenominator;
    private readonly string _analysisFileName;

    /// <param name="analysisFileName">How the help text names the .deid file in its example commands.</param>
    public IdentitySheet(AnalysisDocument document, ClipAnalysis analysis, string analysisFileName = "clip.deid")
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(analysis);
        if (document.FrameRateNumerator <= 0 || document.FrameRateDenominator <= 0)
            throw new ArgumentException("the analysis has no valid frame rate", nameof(document));
        _rateNumerator = document.FrameRateNumerator;
        _rateDenominator = document.FrameRateDenominator;
        _analysisFileName = analysisFileName;
        SourceName = string.IsNullOrWhiteSpace(document.SourceName) ? "unnamed clip" : document.SourceName;
        Width = analysis.Width;
        Height = analysis.Height;
        FrameCount = analysis.FrameCount;
        Fingerprint = document.Fingerprint;

        var segmentsByIdentity = new Dictionary<int, List<Segment>>();
        var unassigned = new List<Segment>();
        foreach (var track in analysis.Tracks.Where(t => t.Observations.Count > 0))
        {
            var segment = new Segment(track.Id, track.FirstObserved, track.LastObserved);
            if (analysis.IdentityOf(track.Id) is { } id)
            {
                if (!segmentsByIdentity.TryGetValue(id, out var list)) segmentsByIdentity[id] = list = [];
                list.Add(segment);
            }
            else unassigned.Add(segment);
        }
        People = analysis.Identities.OrderBy(i => i.Id).Select(identity =>
        {
            var segments = segmentsByIdentity.GetValueOrDefault(identity.Id) ?? [];
            segments.Sort((a, b) => a.FirstFrame.CompareTo(b.FirstFrame));
            return new Person(identity.Id, identity.Thumbnails.Take(MaxThumbnails).ToList(), identity.FirstFrame, identity.LastFrame,
                Seconds(FramesCovered(segments)), identity.TrackIds.Count, segments);
        }).ToList();
        unassigned.Sort((a, b) => a.FirstFrame.CompareTo(b.FirstFrame));
        Unidentified = new UnidentifiedFaces(unassigned.Count, Seconds(FramesCovered(unassigned)), unassigned);
    }

    /// <summary>One track's span, from its first to its last detection (both included).</summary>
    public readonly record struct Segment(int TrackId, int FirstFrame, int LastFrame);

    public sealed record Person(int Id, IReadOnlyList<byte[]> Thumbnails, int FirstFrame, int LastFrame, double OnScreenSeconds,
        int TrackCount, IReadOnlyList<Segment> Segments);

    /// <summary>Tracks that could not be grouped into a person; they follow the selection's default policy.</summary>
    public sealed record UnidentifiedFaces(int TrackCount, double OnScreenSeconds, IReadOnlyList<Segment> Segments);

    public string SourceName { get; }

    public int Width { get; }

    public int Height { get; }

    public int FrameCount { get; }

    public string Fingerprint { get; }

    public double FramesPerSecond => (double)_rateNumerator / _rateDenominator;

    public double ClipSeconds => Seconds(FrameCount);

    public IReadOnlyList<Person> People { get; }

    public UnidentifiedFaces Unidentified { get; }

    public double Seconds(int frames) => (double)frames * _rateDenominator / _rateNumerator;

    /// <summary>
    /// When a frame starts, as mm:ss.ff (ff in hundredths of a second; minutes do not wrap at the hour). Rounded up,
    /// so seeking an editor to the label lands on that frame and not on the one before.
    /// </summary>
    public string Timecode(int frame) =>
        ClipTimecode.OfFrame(frame, _rateNumerator, _rateDenominator);

    /// <summary>Clip length in the same notation as <see cref="Timecode"/>, rounded: a length is not a frame's position.</summary>
    public string Duration => AxisLabel(1);

    /// <summary>Where a segment starts, as a percentage of the clip (frame f spans f..f+1 of the clip's frames).</summary>
    public double LeftPercent(Segment segment) => 100.0 * segment.FirstFrame / Math.Max(1, FrameCount);

    public double WidthPercent(Segment segment) => 100.0 * (segment.LastFrame - segment.FirstFrame + 1) / Math.Max(1, FrameCount);

    public string ToHtml()
    {
        using var writer = new StringWriter(Invariant);
        WriteHtml(writer);
        return writer.ToString();
    }

    public void WriteHtml(TextWriter writer)
    {
        var source = Html(SourceName);
        writer.Write($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="deid identities">
            <title>People in {source}</title>
            <style>{Css}</style>
            </head>
            <body>
            <header>
            <h1>People in <span class="source">{source}</span></h1>
            <p class="meta"><span>{Duration} long</span><span>{FrameCount.ToString(Invariant)} frames</span><span>{Width.ToString(Invariant)}×{Height.ToString(Invariant)}</span><span>{FramesPerSecond.ToString("0.###", Invariant)} fps</span><span>{People.Count.ToString(Invariant)} {Plural(People.Count, "person", "people")}</span></p>
            </header>
            <table>
            <thead>
            <tr><th>Person</th><th>Faces</th><th class="num">First seen</th><th class="num">Last seen</th><th class="num">On screen</th><th class="num">Tracks</th><th class="timeline">Timeline{Axis()}</th></tr>
            </thead>
            <tbody>

            """);
        if (People.Count == 0)
            writer.Write("<tr class=\"empty\"><td colspan=\"7\">No person was identified in this clip.</td></tr>\n");
        foreach (var person in People) WritePersonRow(writer, person);
        if (Unidentified.TrackCount > 0) WriteUnidentifiedRow(writer);
        writer.Write("</tbody>\n</table>\n");
        WriteNotes(writer);
        writer.Write($"""
            <footer>Analysis fingerprint <code>{Html(Fingerprint)}</code></footer>
            </body>
            </html>

            """);
    }

    /// <summary>The same rows as the HTML sheet, drawn at 100 % for a screen; encoded as PNG.</summary>
    public byte[] ToPng()
    {
        using var image = DrawPng();
        return image.ImEncode(".png");
    }

    private void WritePersonRow(TextWriter writer, Person person)
    {
        writer.Write($"<tr id=\"person-{person.Id.ToString(Invariant)}\">");
        writer.Write($"<td class=\"person\">Person {person.Id.ToString(Invariant)}</td>");
        writer.Write("<td><div class=\"faces\">");
        for (var i = 0; i < person.Thumbnails.Count; i++)
        {
            if (ImageMediaType(person.Thumbnails[i]) is not { } mediaType) continue;
            writer.Write($"<img src=\"data:{mediaType};base64,{Convert.ToBase64String(person.Thumbnails[i])}\" alt=\"Person {person.Id.ToString(Invariant)}, face {(i + 1).ToString(Invariant)}\">");
        }
        if (person.Thumbnails.Count == 0) writer.Write("<span class=\"muted\">no face crop</span>");
        writer.Write("</div></td>");
        writer.Write($"<td class=\"num\">{Timecode(person.FirstFrame)}</td><td class=\"num\">{Timecode(person.LastFrame)}</td>");
        writer.Write($"<td class=\"num\">{FormatSeconds(person.OnScreenSeconds)}</td><td class=\"num\">{person.TrackCount.ToString(Invariant)}</td>");
        writer.Write($"<td class=\"timeline\">{Bar(person.Segments)}</td></tr>\n");
    }

    private void WriteUnidentifiedRow(TextWriter writer)
    {
        var first = Unidentified.Segments.Min(s => s.FirstFrame);
        var last = Unidentified.Segments.Max(s => s.LastFrame);
        writer.Write("<tr class=\"unidentified\">");
        writer.Write("<td class=\"person\">No identity</td>");
        writer.Write($"<td class=\"muted\">{Unidentified.TrackCount.ToString(Invariant)} {Plural(Unidentified.TrackCount, "track", "tracks")} too small, short or unsure to group; anonymized by default</td>");
        writer.Write($"<td class=\"num\">{Timecode(first)}</td><td class=\"num\">{Timecode(last)}</td>");
        writer.Write($"<td class=\"num\">{FormatSeconds(Unidentified.OnScreenSeconds)}</td><td class=\"num\">{Unidentified.TrackCount.ToString(Invariant)}</td>");
        writer.Write($"<td class=\"timeline\">{Bar(Unidentified.Segments)}</td></tr>\n");
    }

    private void WriteNotes(TextWriter writer)
    {
        var unidentified = Unidentified.TrackCount == 0
            ? "Every face track in this clip belongs to a person above."
            : $"{Unidentified.TrackCount.ToString(Invariant)} face {Plural(Unidentified.TrackCount, "track", "tracks")} ({FormatSeconds(Unidentified.OnScreenSeconds)} on screen) {Plural(Unidentified.TrackCount, "belongs", "belong")} to no person. Such faces cannot be kept one by one: they follow the default policy, so they are anonymized unless a selection says <code>\"default\": \"anonymize-only-listed\"</code>.";
        writer.Write($"<section class=\"notes\">\n<p class=\"notice\">{unidentified}</p>\n<h2>Keeping someone visible</h2>\n");
        if (People.Count == 0)
        {
            writer.Write("<p>Nobody was identified, so nobody can be kept by number: every face is anonymized.</p>\n</section>\n");
            return;
        }
        var keep = People[0].Id;
        // The example names only people of this clip, so it can be tried as it stands.
        var switchAt = Math.Round(ClipSeconds / 2, 1).ToString("0.0", Invariant);
        string Keyed(int id) => $$"""{ "identity": {{id.ToString(Invariant)}}, "keys": [ { "t": 0, "anonymize": false }, { "t": {{switchAt}}, "anonymize": true } ] }""";
        var entries = People.Count > 1
            ? $$"""{ "identity": {{keep.ToString(Invariant)}}, "anonymize": false },{{"\n    "}}{{Keyed(People[1].Id)}}"""
            : Keyed(keep);
        var selection = $$"""
            {
              "default": "anonymize-everyone",
              "identities": [
                {{entries}}
              ]
            }
            """;
        writer.Write($"""
            <p>Everyone is anonymized by default. To keep person {keep.ToString(Invariant)} visible for the whole clip:</p>
            <pre>{Html(KeepCommand(keep))}</pre>
            <p>To keep people for part of the clip only, write a selection file and pass it with <code>--selection people.json</code>. Times are seconds (<code>"t"</code>) or frames (<code>"frame"</code>); each key holds until the next:</p>
            <pre>{Html(selection)}</pre>
            </section>

            """);
    }

    private string KeepCommand(int identity) =>
        $"deid render {Quote(SourceName)} --analysis {Quote(_analysisFileName)} --keep {identity.ToString(Invariant)} -o anonymized.mp4";

    private string Axis()
    {
        var labels = new[] { 0, 1, 2, 3, 4 }.Select(q => $"<span style=\"left:{(25 * q).ToString(Invariant)}%\">{AxisLabel(q / 4.0)}</span>");
        return $"<div class=\"axis\">{string.Concat(labels)}</div>";
    }

    private string Bar(IEnumerable<Segment> segments)
    {
        var spans = segments.Select(s =>
            $"<span class=\"seg\" style=\"left:{Percent(LeftPercent(s))}%;width:{Percent(WidthPercent(s))}%\" title=\"track {s.TrackId.ToString(Invariant)}: {Timecode(s.FirstFrame)}–{Timecode(s.LastFrame)}\"></span>");
        return $"<div class=\"bar\"><i style=\"left:25%\"></i><i style=\"left:50%\"></i><i style=\"left:75%\"></i>{string.Concat(spans)}</div>";
    }

    private Mat DrawPng()
    {
        // Right edges of the number columns; the header labels are wider than the values, so they set the spacing.
        const int sheetWidth = 1600, margin = 32, rowHeight = 96, thumb = 72, thumbGap = 8, headerRowHeight = 44;
        const int xPerson = margin + 14, xFaces = 180, firstRight = 620, lastRight = 740, onScreenRight = 870, tracksRight = 960;
        const int xTimeline = 1000, timelineEnd = sheetWidth - margin - 18;
        var rows = People.Count + (Unidentified.TrackCount > 0 ? 1 : 0) + (People.Count == 0 ? 1 : 0);
        var tableTop = margin + 86;
        var tableBottom = tableTop + headerRowHeight + rows * rowHeight;
        var sheetHeight = tableBottom + 96;

        var image = new Mat(sheetHeight, sheetWidth, MatType.CV_8UC3, Palette.Page);
        var font = HersheyFonts.HersheyDuplex;

        Text(image, Ascii(Ellipsize($"People in {SourceName}", sheetWidth - 2 * margin, 0.95)), new Point(margin, margin + 26), 0.95, Palette.Ink, 2);
        Text(image, $"{Duration} long   |   {FrameCount} frames   |   {Width}x{Height}   |   {FramesPerSecond.ToString("0.###", Invariant)} fps   |   {People.Count} {Plural(People.Count, "person", "people")}",
            new Point(margin, margin + 60), 0.55, Palette.Muted);

        Cv2.Rectangle(image, new Rect(margin, tableTop, sheetWidth - 2 * margin, tableBottom - tableTop), Palette.Card, -1);
        Cv2.Rectangle(image, new Rect(margin, tableTop, sheetWidth - 2 * margin, headerRowHeight), Palette.HeaderFill, -1);
        Cv2.Rectangle(image, new Rect(margin, tableTop, sheetWidth - 2 * margin, tableBottom - tableTop), Palette.Border, 1);
        var headerBase = tableTop + 28;
        Text(image, "PERSON", new Point(xPerson, headerBase), 0.45, Palette.Muted);
        Text(image, "FACES", new Point(xFaces, headerBase), 0.45, Palette.Muted);
        RightText(image, "FIRST SEEN", firstRight, headerBase, 0.45, Palette.Muted);
        RightText(image, "LAST SEEN", lastRight, headerBase, 0.45, Palette.Muted);
        RightText(image, "ON SCREEN", onScreenRight, headerBase, 0.45, Palette.Muted);
        RightText(image, "TRACKS", tracksRight, headerBase, 0.45, Palette.Muted);
        for (var q = 0; q <= 4; q++)
        {
            var label = AxisLabel(q / 4.0);
            var x = xTimeline + (timelineEnd - xTimeline) * q / 4;
            var size = Cv2.GetTextSize(label, font, 0.42, 1, out _);
            var left = q == 0 ? x : q == 4 ? x - size.Width : x - size.Width / 2;
            Text(image, label, new Point(left, headerBase), 0.42, Palette.Muted);
        }

        var top = tableTop + headerRowHeight;
        if (People.Count == 0)
        {
            Text(image, "No person was identified in this clip.", new Point(xPerson, top + rowHeight / 2 + 6), 0.6, Palette.Muted);
            top += rowHeight;
        }
        foreach (var person in People)
        {
            DrawRow(image, top, $"Person {person.Id}", person.FirstFrame, person.LastFrame, person.OnScreenSeconds, person.TrackCount, person.Segments, Palette.Segment);
            var x = xFaces;
            foreach (var bytes in person.Thumbnails)
            {
                using var face = Thumbnail(bytes, thumb);
                if (face is null) continue;
                var y = top + (rowHeight - thumb) / 2;
                using (var target = new Mat(image, new Rect(x, y, thumb, thumb))) face.CopyTo(target);
                Cv2.Rectangle(image, new Rect(x, y, thumb, thumb), Palette.Border, 1);
                x += thumb + thumbGap;
            }
            if (person.Thumbnails.Count == 0) Text(image, "no face crop", new Point(xFaces, top + rowHeight / 2 + 6), 0.5, Palette.Muted);
            top += rowHeight;
        }
        if (Unidentified.TrackCount > 0)
        {
            DrawRow(image, top, "No identity", Unidentified.Segments.Min(s => s.FirstFrame), Unidentified.Segments.Max(s => s.LastFrame),
                Unidentified.OnScreenSeconds, Unidentified.TrackCount, Unidentified.Segments, Palette.UnidentifiedSegment);
            Text(image, $"{Unidentified.TrackCount} {Plural(Unidentified.TrackCount, "track", "tracks")} not grouped;", new Point(xFaces, top + rowHeight / 2 - 4), 0.5, Palette.Muted);
            Text(image, "anonymized by default", new Point(xFaces, top + rowHeight / 2 + 18), 0.5, Palette.Muted);
        }

        if (People.Count == 0)
        {
            Text(image, "Nobody can be kept by number: every face follows the default policy and is anonymized.", new Point(margin, tableBottom + 36), 0.55, Palette.Ink);
            return image;
        }
        Text(image, $"Everyone is anonymized by default, faces of no identity included. To keep person {People[0].Id}:", new Point(margin, tableBottom + 36), 0.55, Palette.Ink);
        Text(image, Ascii(Ellipsize(KeepCommand(People[0].Id), sheetWidth - 2 * margin, 0.55)), new Point(margin, tableBottom + 66), 0.55, Palette.Code);
        return image;

        void DrawRow(Mat canvas, int rowTop, string label, int first, int last, double onScreen, int tracks, IReadOnlyList<Segment> segments, Scalar color)
        {
            var baseline = rowTop + rowHeight / 2 + 7;
            if (rowTop > tableTop + headerRowHeight) Cv2.Line(canvas, new Point(margin + 1, rowTop), new Point(sheetWidth - margin - 2, rowTop), Palette.Rule, 1);
            Text(canvas, label, new Point(xPerson, baseline), 0.62, Palette.Ink);
            RightText(canvas, Timecode(first), firstRight, baseline, 0.55, Palette.Ink);
            RightText(canvas, Timecode(last), lastRight, baseline, 0.55, Palette.Ink);
            RightText(canvas, FormatSeconds(onScreen), onScreenRight, baseline, 0.55, Palette.Ink);
            RightText(canvas, tracks.ToString(Invariant), tracksRight, baseline, 0.55, Palette.Ink);

            var barTop = rowTop + rowHeight / 2 - 8;
            var barWidth = timelineEnd - xTimeline;
            Cv2.Rectangle(canvas, new Rect(xTimeline, barTop, barWidth, 16), Palette.Track, -1);
            for (var q = 1; q < 4; q++)
            {
                var x = xTimeline + barWidth * q / 4;
                Cv2.Line(canvas, new Point(x, barTop), new Point(x, barTop + 15), Palette.Rule, 1);
            }
            foreach (var segment in segments)
            {
                var left = xTimeline + (int)Math.Round(barWidth * LeftPercent(segment) / 100);
                var width = Math.Max(2, (int)Math.Round(barWidth * WidthPercent(segment) / 100));
                Cv2.Rectangle(canvas, new Rect(Math.Min(left, timelineEnd - 2), barTop, Math.Min(width, timelineEnd - left), 16), color, -1);
            }
        }

        void Text(Mat canvas, string text, Point origin, double scale, Scalar color, int thickness = 1) =>
            Cv2.PutText(canvas, text, origin, font, scale, color, thickness, LineTypes.AntiAlias);

        void RightText(Mat canvas, string text, int right, int baseline, double scale, Scalar color)
        {
            var size = Cv2.GetTextSize(text, font, scale, 1, out _);
            Text(canvas, text, new Point(right - size.Width, baseline), scale, color);
        }

        static string Ellipsize(string text, int maxWidth, double scale)
        {
            var ascii = Ascii(text);
            if (Cv2.GetTextSize(ascii, HersheyFonts.HersheyDuplex, scale, 2, out _).Width <= maxWidth) return text;
            while (ascii.Length > 4 && Cv2.GetTextSize(ascii + "...", HersheyFonts.HersheyDuplex, scale, 2, out _).Width > maxWidth) ascii = ascii[..^1];
            return ascii + "...";
        }
    }

    /// <summary>A square crop from the middle of a thumbnail, so faces of any aspect line up; null when it does not decode.</summary>
    private static Mat? Thumbnail(byte[] bytes, int size)
    {
        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Color);
        if (decoded.Empty()) return null;
        var side = Math.Min(decoded.Width, decoded.Height);
        using var square = new Mat(decoded, new Rect((decoded.Width - side) / 2, (decoded.Height - side) / 2, side, side));
        var result = new Mat();
        Cv2.Resize(square, result, new Size(size, size), interpolation: side > size ? InterpolationFlags.Area : InterpolationFlags.Cubic);
        return result;
    }

    private static string? ImageMediaType(byte[] bytes) => bytes switch
    {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "image/png",
        _ => null,
    };

    private static int FramesCovered(IEnumerable<Segment> segments)
    {
        var total = 0;
        var coveredUpTo = int.MinValue;
        foreach (var segment in segments.OrderBy(s => s.FirstFrame))
        {
            var start = Math.Max(segment.FirstFrame, coveredUpTo + 1);
            if (segment.LastFrame >= start) total += segment.LastFrame - start + 1;
            coveredUpTo = Math.Max(coveredUpTo, segment.LastFrame);
        }
        return total;
    }

    private string AxisLabel(double fractionOfClip) => ClipTimecode.FromHundredths((long)Math.Round(ClipSeconds * fractionOfClip * 100, MidpointRounding.AwayFromZero));


    private static string FormatSeconds(double seconds) => seconds.ToString("0.00", Invariant) + " s";

    private static string Percent(double value) => value.ToString("0.###", Invariant);

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Quotes a file name for a shell command line when it would otherwise split or expand.</summary>
    private static string Quote(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or '\\' or ':') ? name : $"\"{name.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    /// <summary>Hershey fonts draw ASCII only.</summary>
    private static string Ascii(string text) => string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c : '?'));

    private static class Palette
    {
        public static readonly Scalar Page = new(248, 247, 245);
        public static readonly Scalar Card = new(255, 255, 255);
        public static readonly Scalar HeaderFill = new(244, 240, 238);
        public static readonly Scalar Border = new(231, 225, 221);
        public static readonly Scalar Rule = new(238, 235, 232);
        public static readonly Scalar Ink = new(48, 35, 28);
        public static readonly Scalar Muted = new(117, 101, 91);
        public static readonly Scalar Code = new(140, 60, 20);
        public static readonly Scalar Track = new(240, 235, 232);
        public static readonly Scalar Segment = new(201, 99, 37);
        public static readonly Scalar UnidentifiedSegment = new(163, 148, 138);
    }

    private const string Css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; padding: 32px 40px 40px; background: #f5f7f8; color: #1c2330; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        h1 { font-size: 22px; font-weight: 600; margin: 0 0 4px; }
        h1 .source { overflow-wrap: anywhere; }
        h2 { font-size: 16px; font-weight: 600; margin: 28px 0 8px; }
        .meta { color: #5b6575; margin: 0 0 20px; }
        .meta span + span::before { content: "\00B7"; margin: 0 8px; color: #a0a8b5; }
        table { width: 100%; border-collapse: separate; border-spacing: 0; background: #fff; border: 1px solid #dde1e7; border-radius: 8px; overflow: hidden; }
        th { text-align: left; font-size: 11px; font-weight: 600; letter-spacing: .06em; text-transform: uppercase; color: #5b6575; background: #eef0f4; padding: 10px 14px; border-bottom: 1px solid #dde1e7; vertical-align: bottom; white-space: nowrap; }
        td { padding: 12px 14px; border-bottom: 1px solid #eceff3; vertical-align: middle; }
        tbody tr:last-child td { border-bottom: 0; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .person { font-weight: 600; white-space: nowrap; }
        .muted, .empty td { color: #6b7585; }
        .unidentified td { background: #fafbfc; }
        .unidentified td.muted { font-size: 13px; max-width: 300px; }
        .faces { display: flex; gap: 6px; min-width: 274px; }
        .faces img { width: 64px; height: 64px; object-fit: cover; border-radius: 6px; background: #e6e9ee; box-shadow: 0 0 0 1px rgba(28, 35, 48, .08); }
        th.timeline, td.timeline { width: 36%; min-width: 260px; }
        .axis { position: relative; height: 14px; margin-top: 6px; font-weight: 400; letter-spacing: 0; text-transform: none; font-variant-numeric: tabular-nums; }
        .axis span { position: absolute; transform: translateX(-50%); }
        .axis span:first-child { transform: none; }
        .axis span:last-child { transform: translateX(-100%); }
        .bar { position: relative; height: 16px; background: #e8ecf1; border-radius: 3px; overflow: hidden; }
        .bar i { position: absolute; top: 0; bottom: 0; width: 1px; background: #d3d9e1; }
        .bar .seg { position: absolute; top: 0; bottom: 0; min-width: 2px; background: #2563c9; }
        .unidentified .bar .seg { background: #8a94a3; }
        .notes { max-width: 920px; }
        .notice { margin: 16px 0 0; padding: 10px 14px; background: #fff8e6; border: 1px solid #f0dca8; border-radius: 6px; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px 14px; overflow-x: auto; margin: 0 0 12px; }
        footer { margin-top: 28px; color: #8a94a3; font-size: 12px; }
        footer code { font-size: 12px; word-break: break-all; }
        @media print { body { background: #fff; padding: 0; } table { border-radius: 0; } }
        """;
}
