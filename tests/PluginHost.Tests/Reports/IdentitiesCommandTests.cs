using System.CommandLine;
using Deid.Effect.Analysis;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Tests.Cli;
using Newtonsoft.Json.Linq;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Reports;

public sealed class IdentitiesCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-identities-").FullName;

    private static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var root = new RootCommand { IdentitiesCommand.Create() };
        using var output = new StringWriter();
        var exitCode = root.Parse(["identities", .. arguments]).Invoke(new InvocationConfiguration { Output = output, Error = output });
        return (exitCode, output.ToString());
    }

    private string SavedAnalysis()
    {
        var path = Path.Combine(_directory, "clip.deid");
        AnalysisFile.Save(SyntheticAnalysis.Create(), path);
        return path;
    }

    private static void AssertCleanFailure(DeidCli.Result run, string expectedInMessage)
    {
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("deid: error:", line, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, line, StringComparison.Ordinal);
        Assert.Empty(run.StandardOutput);
    }

    [Fact]
    public void A_missing_analysis_file_fails_with_one_line() =>
        AssertCleanFailure(DeidCli.Run(["identities", Path.Combine(_directory, "nope.deid")], timeoutSeconds: 60), "nope.deid");

    [Fact]
    public void A_file_that_is_not_an_analysis_fails_with_one_line()
    {
        var path = Path.Combine(_directory, "notes.deid");
        File.WriteAllText(path, "not an analysis\n");
        AssertCleanFailure(DeidCli.Run(["identities", path, "--sheet", Path.Combine(_directory, "people.html")], timeoutSeconds: 60), "not a Deid analysis file");
        Assert.False(File.Exists(Path.Combine(_directory, "people.html")));
    }

    [Fact]
    public void An_output_folder_that_does_not_exist_fails_without_leftovers()
    {
        var (exitCode, _) = Run(SavedAnalysis(), "--sheet", Path.Combine(_directory, "missing", "people.html"));
        Assert.NotEqual(0, exitCode);
        Assert.Empty(Directory.GetFiles(_directory, "*partial*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Without_options_prints_a_table()
    {
        var (exitCode, output) = Run(SavedAnalysis());
        Assert.Equal(0, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("interview.mp4: 640x360, 25 fps, 100 frames (00:04.00)", StringComparison.Ordinal));
        Assert.Contains("1  00:00.00  00:02.96      2.00s       2", lines);
        Assert.Contains("2  00:00.40  00:01.56      1.20s       1", lines);
        Assert.Contains(lines, l => l.StartsWith("none", StringComparison.Ordinal) && l.Contains("0.40s") && l.Contains("anonymized by default"));
    }

    [Fact]
    public void Writes_sheet_png_and_json()
    {
        var html = Path.Combine(_directory, "people.html");
        var png = Path.Combine(_directory, "people.png");
        var json = Path.Combine(_directory, "analysis.json");
        var (exitCode, output) = Run(SavedAnalysis(), "--sheet", html, "--png", png, "--json", json);
        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("Person", output);
        Assert.Contains("Person 2", File.ReadAllText(html));
        Assert.Contains("--analysis clip.deid", File.ReadAllText(html));
        using var image = Cv2.ImRead(png);
        Assert.False(image.Empty());
        Assert.Equal(2, ((JArray)JObject.Parse(File.ReadAllText(json))["identities"]!).Count);
        Assert.Empty(Directory.GetFiles(_directory, "*partial*"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
