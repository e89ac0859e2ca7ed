using System.Runtime.InteropServices;

namespace Deid.PluginHost.Cli;

/// <summary>
/// Turns SIGINT, SIGTERM and SIGQUIT (Ctrl+C on Windows) into cancellation, so long commands stop at the next frame
/// and clean up (an interrupted render deletes its temporary file) instead of being killed mid-write.
/// </summary>
public static class ShutdownSignal
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static CancellationToken Token => Source.Token;

    public static void Install()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // A second signal while already stopping falls through to the default: the user insists.
                if (Source.IsCancellationRequested) return;
                context.Cancel = true;
                Source.Cancel();
            }));
        }
    }

    /// <summary>The command's own token joined with the process's shutdown signal.</summary>
    public static CancellationToken With(CancellationToken other) =>
        CancellationTokenSource.CreateLinkedTokenSource(other, Source.Token).Token;
}
