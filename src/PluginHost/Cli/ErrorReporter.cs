using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using Deid.Effect.Models;
using Deid.PluginHost.Video;

namespace Deid.PluginHost.Cli;

/// <summary>Turns a failure into one line on standard error and an exit code; details only with DEID_DEBUG=1.</summary>
public static class ErrorReporter
{
    public static int Report(Exception e)
    {
        var message = e switch
        {
            CliError or VideoException or ModelException or FormatException or DonorBankException or FaceGeneratorException => e.Message,
            OperationCanceledException => "interrupted; no output was written",
            _ => $"{e.GetType().Name}: {e.Message}",
        };
        Console.Error.WriteLine($"deid: error: {message}");
        if (Environment.GetEnvironmentVariable("DEID_DEBUG") == "1") Console.Error.WriteLine(e);
        return e is OperationCanceledException ? 130 : 1;
    }
}
