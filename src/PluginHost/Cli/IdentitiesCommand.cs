using System.CommandLine;
using System.Globalization;
using System.Text;
using Deid.Effect.Analysis;
using Deid.PluginHost.Reports;

namespace Deid.PluginHost.Cli;

/// <summary>
/// `deid identities clip.deid`: who is in an analysed clip. Prints a table, or writes a contact sheet (HTML, PNG) and
/// a JSON export for choosing whom to keep with `deid render --keep` or a selection file.
/// </summary>
public static class IdentitiesCommand
{
    public static Command Create()
    {
        var analysis = new Argument<string>("analysis") { Description = "The .deid file written by `deid analyze`." };
        var sheet = new Option<string?>("--sheet") { Description = "Write a contact sheet of the people as one self-contained HTML file (face crops, times, timeline)." };
        var png = new Option<string?>("--png") { Description = "Write the same contact sheet as a PNG image." };
        var json = new Option<string?>("--json") { Description = "Write every detection, track and identity as JSON, for other tools." };

        var command = new Command("identities", "List the people found in an analysed clip, or write a contact sheet to choose whom to keep. Without options, prints a table.")
        {
            analysis, sheet, png, json,
        };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(analysis)!;
                var document = AnalysisFile.Read(path);
                var report = new IdentitySheet(document, AnalysisFile.ToAnalysis(document), Path.GetFileName(path));
                var outputs = new (string? Path, Action<Stream> Write)[]
                {
                    (parse.GetValue(sheet), stream => { using var writer = Utf8(stream); report.WriteHtml(writer); }),
                    (parse.GetValue(png), stream => stream.Write(report.ToPng())),
                    (parse.GetValue(json), stream => { using var writer = Utf8(stream); AnalysisJson.Write(document, writer); }),
                };
                if (outputs.All(o => o.Path is null))
                {
                    PrintTable(report, parse.InvocationConfiguration.Output);
                    return 0;
                }
                foreach (var (target, write) in outputs)
                {
                    if (target is null) continue;
                    WriteAtomically(target, write);
                    Console.Error.WriteLine($"wrote {target}");
                }
                return 0;
            }
            catch (Exception e)
            {
                return ErrorReporter.Report(e);
            }
        });
        return command;
    }

    /// <summary>One line per person: number, first and last appearance, seconds on screen, tracks; then the faces of no identity.</summary>
    internal static void PrintTable(IdentitySheet report, TextWriter output)
    {
        var fps = report.FramesPerSecond.ToString("0.###", CultureInfo.InvariantCulture);
        output.WriteLine($"{report.SourceName}: {report.Width}x{report.Height}, {fps} fps, {report.FrameCount} frames ({report.Duration})");
        output.WriteLine($"{"identity",8}  {"first",8}  {"last",8}  {"on screen",9}  {"tracks",6}");
        foreach (var person in report.People)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{person.Id,8}  {report.Timecode(person.FirstFrame),8}  {report.Timecode(person.LastFrame),8}  {person.OnScreenSeconds,8:0.00}s  {person.TrackCount,6}"));
        }
        if (report.People.Count == 0) output.WriteLine("no person was identified");
        if (report.Unidentified.TrackCount > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"none",8}  {"",8}  {"",8}  {report.Unidentified.OnScreenSeconds,8:0.00}s  {report.Unidentified.TrackCount,6}  (faces of no identity: anonymized by default)"));
        }
    }

    private static StreamWriter Utf8(Stream stream) => new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16, leaveOpen: true);

    /// <summary>Writes beside the target and renames, so an interrupted run never leaves a half-written report.</summary>
    internal static void WriteAtomically(string path, Action<Stream> write)
    {
        var temporary = path + $".partial-{Environment.ProcessId}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write)) write(stream);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliError($"cannot write {path}: {e.Message}");
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
