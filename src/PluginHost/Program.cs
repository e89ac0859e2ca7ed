using System.CommandLine;
using Deid.PluginHost.Cli;

namespace Deid.PluginHost;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Deid: find the faces in a video and anonymize them, keeping audio and timing.")
        {
            RenderCommand.Create(),
            AnalyzeCommand.Create(),
            IdentitiesCommand.Create(),
            ModelsCommand.Create(),
            BenchCommand.Create(),
        };
        try
        {
            return root.Parse(args).Invoke();
        }
        catch (Exception e)
        {
            return ErrorReporter.Report(e);
        }
    }
}
