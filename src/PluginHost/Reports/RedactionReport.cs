using System.Globalization;
using System.Net;
using Deid.PluginHost.Rendering;
using Deid.PluginHost.Video;
using Newtonsoft.Json;
using OpenCvSharp;

namespace Deid.PluginHost.Reports;

/// <summary>
/// What a render did to every face it knew of, for whoever signs the file off: per person (and for the faces of no
/// person) how many faces got which treatment, a timeline of it over the clip, and faces cropped from the written file
/// itself, the way a viewer will see them. One self-contained HTML page; the same numbers are embedded as JSON
/// (<c>script#deid-redaction</c>) for tools. It shows no face from the source, only what was written, so it can go
/// where the footage may not. Faces the detector never found are in no report: the page says so.
/// </summary>
public sealed class RedactionReport
{
    /// <summary>Thumbnails per row, spread over the row's faces; the read-back's faces come first, as the ones to look at.</summary>
    public const int MaxThumbnails = 8;

    private const int ThumbnailHeight = 96;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly List<Row> _rows;
    private readonly Dictionary<(int Frame, int TrackId), byte[]> _crops = [];

    private RedactionReport(RedactionHeader header, List<Row> rows)
    {
        Header = header;
        _rows = rows;
    }

    public RedactionHeader Header { get; }

    public IReadOnlyList<Row> Rows => _rows;

    /// <summary>One person's faces, or the faces of no person (<see cref="Identity"/> null).</summary>
    public sealed record Row(int? Identity, IReadOnlyList<int> TrackIds, IReadOnlyList<RenderedFace> Faces)
    {
        private readonly Dictionary<FaceTreatment, int> _counts = Faces.CountBy(face => face.Treatment).ToDictionary();

        public string Label => Identity is { } id ? $"Person {id.ToString(Invariant)}" : "No identity";

        public int Count(FaceTreatment treatment) => _counts.GetValueOrDefault(treatment);

        /// <summary>The faces to crop from the written file: everything the read-back touched first, then evenly spread.</summary>
        public IReadOnlyList<RenderedFace> Picks { get; } = Pick(Faces);

        private static List<RenderedFace> Pick(IReadOnlyList<RenderedFace> faces)
        {
            var readBack = faces.Where(face => face.Treatment is FaceTreatment.BlurredMore or FaceTreatment.Filled).ToList();
            var rest = faces.Except(readBack).ToList();
            var picks = readBack.Take(MaxThumbnails / 2).ToList();
            var room = MaxThumbnails - picks.Count;
            if (rest.Count > 0)
                picks.AddRange(Enumerable.Range(0, Math.Min(room, rest.Count)).Select(i => rest[(int)((i + 0.5) * rest.Count / Math.Min(room, rest.Count))]));
            return picks.OrderBy(face => face.Frame).ToList();
        }
    }

    /// <param name="identityOf">The person a track belongs to, if any.</param>
    public static RedactionReport Build(RedactionHeader header, IEnumerable<RenderedFace> faces, Func<int, int?> identityOf)
    {
        var rows = faces.GroupBy(face => identityOf(face.TrackId))
            .OrderBy(group => group.Key is null ? 1 : 0).ThenBy(group => group.Key)
            .Select(group =>
            {
                var list = group.OrderBy(face => face.Frame).ThenBy(face => face.TrackId).ToList();
                return new Row(group.Key, list.Select(face => face.TrackId).Distinct().Order().ToList(), list);
            })
            .ToList();
        return new RedactionReport(header, rows);
    }

    /// <summary>Crops every row's <see cref="Row.Picks"/> out of the written file, in one pass over it.</summary>
    public void TakeThumbnails(FfmpegTools tools, string written, CancellationToken cancel)
    {
        var wanted = _rows.SelectMany(row => row.Picks).GroupBy(face => face.Frame).ToDictionary(g => g.Key, g => g.ToList());
        if (wanted.Count == 0) return;
        var last = wanted.Keys.Max();
        using var frames = Rendering.FrameSource.Open(tools, VideoProbe.Probe(tools, written));
        for (var index = 0; index <= last && frames.Next() is { } frame; index++)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                foreach (var face in wanted.GetValueOrDefault(index) ?? []) _crops[(face.Frame, face.TrackId)] = Crop(frame, face.Box);
            }
            finally
            {
                frames.Release(frame);
            }
        }
    }

    /// <summary>The face with some of its surroundings, scaled to the thumbnail height, as PNG.</summary>
    private static byte[] Crop(Mat frame, Rect2f box)
    {
        var side = Math.Max(box.Width, box.Height) * 1.6f;
        var centre = new Point2f(box.X + box.Width / 2, box.Y + box.Height / 2);
        var area = new Rect((int)(centre.X - side / 2), (int)(centre.Y - side / 2), (int)side, (int)side)
            .Intersect(new Rect(0, 0, frame.Width, frame.Height));
        if (area.Width < 2 || area.Height < 2) return [];
        using var crop = new Mat(frame, area);
        using var scaled = new Mat();
        Cv2.Resize(crop, scaled, new Size(Math.Max(1, area.Width * ThumbnailHeight / area.Height), ThumbnailHeight), 0, 0,
            area.Height < ThumbnailHeight ? InterpolationFlags.Cubic : InterpolationFlags.Area);
        return scaled.ImEncode(".png");
    }

    /// <summary>The report's numbers, as embedded in the page.</summary>
    public string SummaryJson()
    {
        var summary = new
        {
            source = Header.SourceName,
            output = Header.OutputName,
            method = Header.Method,
            frames = Header.FrameCount,
            writings = Header.Check.Passes,
            hiddenMore = Header.Check.Escalated,
            stillNear = Header.Check.StillNear.Select(face => new { frame = face.Frame, track = face.TrackId, distance = Math.Round(face.Distance, 3) }),
            totals = Enum.GetValues<FaceTreatment>().ToDictionary(Key, t => _rows.Sum(row => row.Count(t))),
            rows = _rows.Select(row => new
            {
                identity = row.Identity,
                tracks = row.TrackIds,
                faces = row.Faces.Count,
                counts = Enum.GetValues<FaceTreatment>().ToDictionary(Key, row.Count),
                thumbnails = row.Picks.Count(face => _crops.GetValueOrDefault((face.Frame, face.TrackId)) is { Length: > 0 }),
            }),
        };
        return JsonConvert.SerializeObject(summary, Formatting.Indented);
    }

    public void WriteHtml(TextWriter writer)
    {
        var title = $"Redaction report: {Header.OutputName}";
        // Inside a script element only "</" could end it early.
        var json = SummaryJson().Replace("</", "<\\/", StringComparison.Ordinal);
        writer.Write($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{Html(title)}</title>
            <style>{Css}</style>
            <script type="application/json" id="deid-redaction">{json}</script>
            </head>
            <body>
            <h1>{Html(title)}</h1>
            <p class="muted">{Html(Header.SourceName)} rendered with <b>{Html(Header.Method)}</b> · {Header.FrameCount.ToString(Invariant)} frames · {Header.Width.ToString(Invariant)}x{Header.Height.ToString(Invariant)} · {Header.FramesPerSecond.ToString("0.###", Invariant)} fps · {Html(Header.Made.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant))}</p>

            """);
        WriteSummary(writer);
        writer.Write(Legend(Enum.GetValues<FaceTreatment>().Where(t => _rows.Any(row => row.Count(t) > 0))));
        writer.Write($"<table>\n<tr><th>Who</th><th>Faces</th><th>Over the clip, {Timecode(0)} to {Timecode(Header.FrameCount)}</th></tr>\n");
        foreach (var row in _rows) WriteRow(writer, row);
        writer.Write("</table>\n");
        writer.Write("""
            <p class="muted">Only faces the analysis found and tracked are counted here; a face it never found is not hidden. Look through the file
            before it leaves your hands. The faces above are cropped from the written file, as a viewer will see them.</p>
            </body>
            </html>

            """);
    }

    private void WriteSummary(TextWriter writer)
    {
        int Total(FaceTreatment t) => _rows.Sum(row => row.Count(t));
        var all = _rows.Sum(row => row.Faces.Count);
        var visible = Total(FaceTreatment.Visible);
        var parts = new List<string> { $"{all.ToString(Invariant)} tracked faces", $"{(all - visible).ToString(Invariant)} hidden", $"{visible.ToString(Invariant)} kept visible" };
        if (Total(FaceTreatment.NewFace) + Total(FaceTreatment.OtherNewFace) is var replaced && replaced > 0) parts.Add($"{replaced.ToString(Invariant)} with a new face");
        writer.Write($"<p class=\"summary\">{string.Join(" · ", parts)}</p>\n");
        var check = Header.Check;
        if (!check.Checked)
        {
            writer.Write("<p class=\"muted\">The written file was not read back (<code>--no-check</code>, or a method other than replace without <code>--check</code>).</p>\n");
            return;
        }
        writer.Write($"<p>Read back after encoding: {check.Passes.ToString(Invariant)} {(check.Passes == 1 ? "writing" : "writings")}, {check.Escalated.ToString(Invariant)} faces hidden more than the method hid them.</p>\n");
        if (check.StillNear.Count > 0)
        {
            var frames = string.Join(", ", check.StillNear.Select(face => face.Frame).Distinct().Order().Select(f => f.ToString(Invariant)));
            writer.Write($"<p class=\"warn\">{check.StillNear.Count.ToString(Invariant)} filled faces the recognizer still places within the match distance of their person (frames {frames}): nothing hides more than a fill there; look at them before publishing.</p>\n");
        }
    }

    private void WriteRow(TextWriter writer, Row row)
    {
        var counts = Enum.GetValues<FaceTreatment>().Where(t => row.Count(t) > 0)
            .Select(t => $"<span class=\"chip {Key(t)}\">{Html(Name(t))} {row.Count(t).ToString(Invariant)}</span>");
        var tracks = $"{row.TrackIds.Count.ToString(Invariant)} {(row.TrackIds.Count == 1 ? "track" : "tracks")}, {row.Faces.Count.ToString(Invariant)} faces";
        writer.Write($"<tr><td class=\"who\">{Html(row.Label)}<div class=\"muted\">{tracks}</div></td><td>{string.Concat(counts)}</td><td class=\"timeline\">{Timeline(row)}</td></tr>\n");
        var thumbnails = row.Picks.Select(face => (face, png: _crops.GetValueOrDefault((face.Frame, face.TrackId)))).Where(p => p.png is { Length: > 0 }).ToList();
        if (thumbnails.Count == 0) return;
        writer.Write("<tr class=\"faces\"><td></td><td colspan=\"2\">");
        foreach (var (face, png) in thumbnails)
        {
            var (frame, treatment) = ($"frame {face.Frame.ToString(Invariant)} ({Timecode(face.Frame)})", Name(face.Treatment));
            writer.Write($"<figure class=\"{Key(face.Treatment)}\"><img src=\"data:image/png;base64,{Convert.ToBase64String(png!)}\" alt=\"{Html(row.Label)}, {Html(frame)}, {Html(treatment)}\"><figcaption>{Html(frame)}<br>{Html(treatment)}</figcaption></figure>");
        }
        writer.Write("</td></tr>\n");
    }

    /// <summary>The row's treatment frame by frame, as runs; where the row has several faces in a frame, the one most worth seeing wins.</summary>
    private string Timeline(Row row)
    {
        var byFrame = row.Faces.GroupBy(face => face.Frame).ToDictionary(g => g.Key, g => g.Select(face => face.Treatment).MinBy(Priority));
        var spans = new List<string>();
        var frames = Header.FrameCount;
        for (var start = 0; start < frames;)
        {
            if (!byFrame.TryGetValue(start, out var treatment)) { start++; continue; }
            var end = start + 1;
            while (end < frames && byFrame.TryGetValue(end, out var next) && next == treatment) end++;
            var left = 100.0 * start / frames;
            var width = 100.0 * (end - start) / frames;
            var range = end - start == 1 ? $"frame {start.ToString(Invariant)} ({Timecode(start)})"
                : $"frames {start.ToString(Invariant)}–{(end - 1).ToString(Invariant)} ({Timecode(start)}–{Timecode(end)})";
            spans.Add($"<span class=\"{Key(treatment)}\" style=\"left:{left.ToString("0.###", Invariant)}%;width:{width.ToString("0.###", Invariant)}%\" title=\"{range}: {Html(Name(treatment))}\"></span>");
            start = end;
        }
        return $"<div class=\"bar\">{string.Concat(spans)}</div>";
    }

    private string Timecode(int frame) => ClipTimecode.OfFrame(frame, Header.FrameRate.Numerator, Header.FrameRate.Denominator);

    private static string Legend(IEnumerable<FaceTreatment> present) =>
        "<p class=\"legend\">" + string.Concat(present.Select(t => $"<span class=\"chip {Key(t)}\">{Html(Name(t))}</span>")) + "</p>\n";

    /// <summary>Lower first: what a reviewer must see is drawn over what is routine.</summary>
    private static int Priority(FaceTreatment treatment) => treatment switch
    {
        FaceTreatment.Visible => 0,
        FaceTreatment.Filled => 1,
        FaceTreatment.BlurredMore => 2,
        FaceTreatment.Blurred => 3,
        FaceTreatment.OtherNewFace => 4,
        FaceTreatment.NewFace => 5,
        _ => 6,
    };

    public static string Name(FaceTreatment treatment) => treatment switch
    {
        FaceTreatment.Visible => "kept visible",
        FaceTreatment.Hidden => "hidden",
        FaceTreatment.NewFace => "new face",
        FaceTreatment.OtherNewFace => "another new face",
        FaceTreatment.Blurred => "blurred instead",
        FaceTreatment.BlurredMore => "blurred more (read-back)",
        FaceTreatment.Filled => "filled (read-back)",
        _ => treatment.ToString(),
    };

    private static string Key(FaceTreatment treatment) => treatment switch
    {
        FaceTreatment.Visible => "visible",
        FaceTreatment.Hidden => "hidden",
        FaceTreatment.NewFace => "newFace",
        FaceTreatment.OtherNewFace => "otherNewFace",
        FaceTreatment.Blurred => "blurred",
        FaceTreatment.BlurredMore => "blurredMore",
        FaceTreatment.Filled => "filled",
        _ => treatment.ToString(),
    };

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fbfbfd}
        h1{font-size:20px;margin:0 0 4px}
        .muted{color:#687083}.summary{font-size:16px;font-weight:600}.warn{color:#a1261b;font-weight:600}
        table{border-collapse:collapse;width:100%;margin-top:12px}th,td{text-align:left;padding:6px 8px;vertical-align:top}
        th{border-bottom:1px solid #ccd}tr.faces td{border-bottom:1px solid #e4e4ec;padding-top:0}
        td.who{white-space:nowrap;font-weight:600}td.timeline{width:45%}
        .bar{position:relative;height:18px;background:#eceef3;border-radius:3px;overflow:hidden}
        .bar span{position:absolute;top:0;bottom:0;min-width:1px}
        .chip{display:inline-block;padding:1px 7px;margin:2px 4px 2px 0;border-radius:9px;font-size:12px;color:#fff}
        figure{display:inline-block;width:min-content;margin:4px 6px 4px 0;text-align:center;vertical-align:top;border-bottom:4px solid transparent}
        figure img{display:block;height:96px;border-radius:3px}figcaption{font-size:11px;line-height:1.25;color:#687083;padding:2px 0}
        .visible{background:#d4372c;border-color:#d4372c}.hidden{background:#4d6a9a;border-color:#4d6a9a}
        .newFace{background:#2f8f5b;border-color:#2f8f5b}.otherNewFace{background:#57b383;border-color:#57b383}
        .blurred{background:#8a8fa0;border-color:#8a8fa0}.blurredMore{background:#c98a1b;border-color:#c98a1b}
        .filled{background:#6b4aa0;border-color:#6b4aa0}
        figure.visible,figure.hidden,figure.newFace,figure.otherNewFace,figure.blurred,figure.blurredMore,figure.filled{background:none}
        """;
}
