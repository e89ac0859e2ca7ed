using System.CommandLine;
using Deid.Effect.Inference;
using Deid.PluginHost.Serve;
using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Cli;

/// <summary>`deid serve`: the process the OpenFX plugin talks to (docs/BRIDGE.md).</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var idle = new Option<int>("--idle-timeout") { Description = "Exit after this many seconds without a connection.", DefaultValueFactory = _ => 600 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or directml.", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda", "directml");
        var donors = new Option<string?>("--donors")
        {
            Description = "For the replace method: a folder of donor portraits (see `deid render --donors`). Default: $DEID_DONORS, else the built-in transform.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DEID_DONORS") is { Length: > 0 } folder ? folder : null,
        };
        var command = new Command("serve", "Serve the Deid OpenFX plugin of every host of this user over a local socket (started by the plugin on first use).") { idle, device, donors };
        command.SetAction((parse, commandCancel) =>
        {
            var cancel = ShutdownSignal.With(commandCancel);
            try
            {
                var directory = RuntimeDirectory.Prepare(RuntimeDirectory.Resolve());
                var cache = CacheSettings.FromEnvironment();
                Action<string> log = message => Console.Error.WriteLine(message);
                using var slots = new FrameSlots(directory);
                var donorFolder = parse.GetValue(donors);
                if (donorFolder is not null && !Directory.Exists(donorFolder)) throw new CliError($"donor folder {donorFolder} does not exist");
                using var engine = new ServeEngine(slots, cache, Enum.Parse<ExecutionDevice>(parse.GetValue(device)!, true), log, donorFolder);
                var server = new DeidServer(directory, engine, TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(idle))), log);
                if (!server.Run(cancel)) log($"deid serve: already running on {server.SocketPath}");
                return Task.FromResult(0);
            }
            catch (Exception e)
            {
                return Task.FromResult(ErrorReporter.Report(e));
            }
        });
        return command;
    }
}
