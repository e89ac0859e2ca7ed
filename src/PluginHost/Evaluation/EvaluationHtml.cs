using System.Globalization;
using System.Net;

namespace Deid.PluginHost.Evaluation;

/// <summary>The report as one self-contained HTML page: the table, what each column means, and the strip when drawn.</summary>
public static class EvaluationHtml
{
    public static string Render(EvaluationReport report, byte[]? stripPng)
    {
        var invariant = CultureInfo.InvariantCulture;
        using var html = new StringWriter(invariant);
        var title = WebUtility.HtmlEncode(report.Input);
        html.Write($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="generator" content="deid eval">
            <title>Anonymization methods on {title}</title>
            <style>
            body{"{"}font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222{"}"}
            table{"{"}border-collapse:collapse{"}"} th,td{"{"}padding:4px 10px;border-bottom:1px solid #ddd{"}"}
            td.num,th.num{"{"}text-align:right;font-variant-numeric:tabular-nums{"}"} dt{"{"}font-weight:600{"}"} img{"{"}max-width:100%{"}"}
            </style>
            </head>
            <body>
            <h1>Anonymization methods on {title}</h1>
            <p>{WebUtility.HtmlEncode(report.Kind)}: {report.Frames.ToString(invariant)} {(report.Kind == "clip" ? "frames" : "photos")}, {report.Faces.ToString(invariant)} faces ({report.ConfidentFaces.ToString(invariant)} confident), {report.Identities.ToString(invariant)} people; strength {report.Strength.ToString("0.##", invariant)}, seed {report.Seed.ToString(invariant)}{(report.Encoded ? "; judged after x264 encoding, as <code>deid render</code> writes the file" : "")}.</p>
            <table>
            <thead><tr><th>method</th>
            """);
        foreach (var column in EvaluationTable.Columns)
            html.Write($"<th class=\"num\" title=\"{WebUtility.HtmlEncode(column.Meaning)}\">{WebUtility.HtmlEncode(column.Heading)}</th>");
        html.Write("</tr></thead>\n<tbody>\n");
        foreach (var method in report.Methods)
        {
            html.Write($"<tr><td>{WebUtility.HtmlEncode(method.Method)}</td>");
            foreach (var column in EvaluationTable.Columns) html.Write($"<td class=\"num\">{WebUtility.HtmlEncode(column.Value(method))}</td>");
            html.Write("</tr>\n");
        }
        html.Write("</tbody>\n</table>\n");
        foreach (var method in report.Methods)
            if (EvaluationTable.Outcomes(method) is { } outcomes) html.Write($"<p>{WebUtility.HtmlEncode(method.Method)}: {WebUtility.HtmlEncode(outcomes)}</p>\n");
        if (EvaluationTable.WhereRepeatable(report) is { } repeatable) html.Write($"<p>{WebUtility.HtmlEncode(repeatable)}</p>\n");
        WriteByPerson(html, report);
        html.Write("<h2>Columns</h2>\n<dl>\n");
        foreach (var column in EvaluationTable.Columns)
            html.Write($"<dt>{WebUtility.HtmlEncode(column.Heading)}</dt><dd>{WebUtility.HtmlEncode(column.Meaning)}</dd>\n");
        html.Write("</dl>\n<p>Confident faces: detector score at least 0.9, seen in that frame, with landmarks that make a face. Every face is anonymized; the measures are taken on the confident ones.</p>\n");
        if (stripPng is not null)
            html.Write($"<h2>Faces</h2>\n<img src=\"data:image/png;base64,{Convert.ToBase64String(stripPng)}\" alt=\"original and anonymized faces, one row per method\">\n");
        html.Write("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Each person's shares under each method, the person with the most confident faces first.</summary>
    private static void WriteByPerson(StringWriter html, EvaluationReport report)
    {
        var people = report.Methods.FirstOrDefault(m => m.ByPerson is { Count: > 0 })?.ByPerson;
        if (people is null) return;
        html.Write("<h2>By person</h2>\n<table>\n<thead><tr><th>person</th><th class=\"num\">faces</th><th>method</th>"
            + "<th class=\"num\">within 0.6</th><th class=\"num\">natural</th><th class=\"num\">pose 5deg</th><th class=\"num\">eyes 15%</th><th class=\"num\">mouth 15%</th></tr></thead>\n<tbody>\n");
        foreach (var person in people)
        {
            var rows = report.Methods.Select(m => (m.Method, Scores: m.ByPerson?.FirstOrDefault(p => p.Identity == person.Identity))).Where(r => r.Scores is not null).ToList();
            for (var i = 0; i < rows.Count; i++)
            {
                var (method, scores) = (rows[i].Method, rows[i].Scores!);
                html.Write("<tr>");
                if (i == 0)
                    html.Write($"<td rowspan=\"{rows.Count}\">{WebUtility.HtmlEncode(person.Identity)}</td><td class=\"num\" rowspan=\"{rows.Count}\">{person.Faces.ToString(CultureInfo.InvariantCulture)}</td>");
                html.Write($"<td>{WebUtility.HtmlEncode(method)}</td>");
                foreach (var share in new[] { scores.WithinThresholdShare, scores.StillFoundShare, scores.PoseKeptShare, scores.EyesKeptShare, scores.MouthKeptShare })
                    html.Write($"<td class=\"num\">{EvaluationTable.Percent(share)}</td>");
                html.Write("</tr>\n");
            }
        }
        html.Write("</tbody>\n</table>\n");
    }
}
