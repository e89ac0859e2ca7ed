using Deid.Effect.Tests;
using Deid.PluginHost.Tests.Cli;
using Newtonsoft.Json.Linq;

namespace Deid.PluginHost.Tests.Evaluation;

/// <summary>One `deid eval` run over the shared photos with the two controls and the four methods, shared by the tests.</summary>
public sealed class PhotoEvaluationFixture : IDisposable
{
    public static readonly string[] Methods = ["none", "shifted", "blur", "pixelate", "solid", "replace"];

    private readonly string _directory = Directory.CreateTempSubdirectory("deid-eval-photos-").FullName;

    public PhotoEvaluationFixture()
    {
        Run = DeidCli.Run(["eval", SharedAssets.Media("photos"), "--methods", string.Join(",", Methods),
            "--seed", "7", "--json", JsonPath, "--strip", StripPath, "--html", HtmlPath, "--quiet"]);
        Report = Run.ExitCode == 0 ? JObject.Parse(File.ReadAllText(JsonPath)) : new JObject();
    }

    public DeidCli.Result Run { get; }

    public JObject Report { get; }

    public string JsonPath => Path.Combine(_directory, "report.json");

    public string StripPath => Path.Combine(_directory, "strip.png");

    public string HtmlPath => Path.Combine(_directory, "report.html");

    public JObject Method(string name) => (JObject)Report["methods"]!.Single(m => (string?)m["method"] == name);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
