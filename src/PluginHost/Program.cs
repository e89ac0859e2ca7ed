using System.CommandLine;
using Deid.PluginHost.Cli;

namespace Deid.PluginHost;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Deid: find the faces in a video and anonymize them, keeping audio and timing.")
        {
            RenderCommand.Create(),
            AnalyzeCommand.Create(),
            IdentitiesCommand.Create(),
            ModelsCommand.Create(),
            BenchCommand.Create(),
            EvalCommand.Create(),
            ServeCommand.Create(),
            CacheCommand.Create(),
        };
        ShutdownSignal.Install();
        try
        {
            // Asynchronous invocation is what turns SIGINT/SIGTERM into cancellation of the running command, so an
            // interrupted render cleans up its temporary file instead of dying with it.
            return await root.Parse(args).InvokeAsync();
        }
        catch (Exception e)
        {
            return ErrorReporter.Report(e);
        }
    }
}
