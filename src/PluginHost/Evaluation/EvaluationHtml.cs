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
        html.Write("<h2>Columns</h2>\n<dl>\n");
        foreach (var column in EvaluationTable.Columns)
            html.Write($"<dt>{WebUtility.HtmlEncode(column.Heading)}</dt><dd>{WebUtility.HtmlEncode(column.Meaning)}</dd>\n");
        html.Write("</dl>\n<p>Confident faces: detector score at least 0.9, seen in that frame, with landmarks that make a face. Every face is anonymized; the measures are taken on the confident ones.</p>\n");
        if (stripPng is not null)
            html.Write($"<h2>Faces</h2>\n<img src=\"data:image/png;base64,{Convert.ToBase64String(stripPng)}\" alt=\"original and anonymized faces, one row per method\">\n");
        html.Write("</body>\n</html>\n");
        return html.ToString();
    }
}
