using System.IO.Pipes;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Deid.PluginHost.Serve;

/// <summary>
/// The IPC server: a Unix domain socket in the per-user runtime folder, one thread per connected effect instance,
/// one reply per request. A malformed request gets an error reply and the connection stays usable; an oversized
/// or truncated frame closes that connection only. Exits after a period with no connections.
/// </summary>
public sealed class DeidServer(string runtimeDirectory, ServeEngine engine, TimeSpan idleTimeout, Action<string> log)
{
    public const int ProtocolVersion = 1;

    private int _connections;
    private long _lastActivityTicks = DateTime.UtcNow.Ticks;

    public string SocketPath => Path.Combine(runtimeDirectory, "serve.sock");

    /// <summary>Windows: the per-user named pipe the plugin connects to (`\\.\pipe\deid-&lt;user&gt;`).</summary>
    public static string PipeName => "deid-" + Regex.Replace(Environment.UserName, "[^A-Za-z0-9._-]", "_");

    /// <summary>Serves until idle; returns false when another server already listens.</summary>
    public bool Run(CancellationToken cancel) => OperatingSystem.IsWindows() ? RunPipe(cancel) : RunSocket(cancel);

    /// <summary>
    /// Windows: one pipe instance per connection, open to the current user only; the first instance is created with
    /// FirstPipeInstance, so a second server finds the first and steps back.
    /// </summary>
    private bool RunPipe(CancellationToken cancel)
    {
        var first = true;
        log($"deid serve: listening on \\\\.\\pipe\\{PipeName} (pid {Environment.ProcessId})");
        while (!cancel.IsCancellationRequested)
        {
            NamedPipeServerStream pipe;
            try
            {
                var options = PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly | (first ? PipeOptions.FirstPipeInstance : PipeOptions.None);
                pipe = new NamedPipeServerStream(PipeName, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances, PipeTransmissionMode.Byte, options);
            }
            catch (Exception e) when (first && e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
            first = false;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            try
            {
                var waiting = pipe.WaitForConnectionAsync(idle.Token);
                while (!waiting.Wait(200))
                {
                    if (Volatile.Read(ref _connections) == 0 && DateTime.UtcNow - new DateTime(Interlocked.Read(ref _lastActivityTicks)) > idleTimeout)
                    {
                        log("deid serve: idle, exiting");
                        idle.Cancel();
                        pipe.Dispose();
                        return true;
                    }
                }
            }
            catch (AggregateException)
            {
                pipe.Dispose();
                break;
            }
            Interlocked.Increment(ref _connections);
            Touch();
            new Thread(() => Serve(pipe)) { IsBackground = true, Name = "deid-serve-connection" }.Start();
        }
        return true;
    }

    private bool RunSocket(CancellationToken cancel)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        if (!Bind(listener)) return false;
        listener.Listen(16);
        log($"deid serve: listening on {SocketPath} (pid {Environment.ProcessId})");
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                if (listener.Poll(200_000, SelectMode.SelectRead))
                {
                    var client = listener.Accept();
                    Interlocked.Increment(ref _connections);
                    Touch();
                    new Thread(() => Serve(new NetworkStream(client, ownsSocket: true))) { IsBackground = true, Name = "deid-serve-connection" }.Start();
                }
                else if (Volatile.Read(ref _connections) == 0 && DateTime.UtcNow - new DateTime(Interlocked.Read(ref _lastActivityTicks)) > idleTimeout)
                {
                    log("deid serve: idle, exiting");
                    break;
                }
            }
        }
        finally
        {
            File.Delete(SocketPath);
        }
        return true;
    }

    private bool Bind(Socket listener)
    {
        if (File.Exists(SocketPath))
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(SocketPath));
                return false;
            }
            catch (SocketException)
            {
                // A socket file nobody listens on is left from a server that died: take its place.
                File.Delete(SocketPath);
            }
        }
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return true;
    }

    private void Serve(Stream connection)
    {
        using var stream = connection;
        try
        {
            while (MessageFraming.ReadFrame(stream) is { } payload)
            {
                Touch();
                MessageFraming.Write(stream, Handle(payload));
                Touch();
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or EndOfStreamException or SocketException or ObjectDisposedException)
        {
            log($"deid serve: connection closed: {e.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
            Touch();
        }
    }

    /// <summary>One request to one reply; every failure becomes an error reply.</summary>
    public IReadOnlyDictionary<string, object?> Handle(byte[] payload)
    {
        try
        {
            var request = MessageFraming.Decode(payload);
            return request.Type switch
            {
                "hello" => Hello(request),
                "ping" => new Dictionary<string, object?> { ["type"] = "pong" },
                "render" => engine.Render(request),
                "analyze-begin" => engine.AnalyzeBegin(request),
                "analyze-frame" => engine.AnalyzeFrame(request),
                "analyze-end" => engine.AnalyzeEnd(request),
                "clear-cache" => engine.ClearCache(request),
                "stats" => engine.Stats(request),
                var other => throw new FrameMessageException($"unknown request type '{other}'"),
            };
        }
        catch (Exception e)
        {
            if (e is not FrameMessageException) log($"deid serve: {e.GetType().Name}: {e.Message}");
            return Error(e is FrameMessageException or Effect.Models.ModelException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static IReadOnlyDictionary<string, object?> Hello(MessageFields request)
    {
        var protocol = request.Integer("protocol");
        if (protocol != ProtocolVersion) return Error($"protocol {protocol} is not supported; this deid speaks protocol {ProtocolVersion}");
        return new Dictionary<string, object?>
        {
            ["type"] = "welcome",
            ["protocol"] = ProtocolVersion,
            ["server"] = $"deid/{typeof(DeidServer).Assembly.GetName().Version}",
            ["pid"] = Environment.ProcessId,
        };
    }

    private static IReadOnlyDictionary<string, object?> Error(string message) =>
        new Dictionary<string, object?> { ["type"] = "error", ["message"] = message };

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, DateTime.UtcNow.Ticks);
}
