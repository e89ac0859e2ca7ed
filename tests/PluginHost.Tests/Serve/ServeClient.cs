using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Deid.Effect.Tests;
using MessagePack;

namespace Deid.PluginHost.Tests.Serve;

/// <summary>A running `deid serve` in its own runtime folder, and a raw client speaking the socket protocol.</summary>
public sealed class ServeProcess : IDisposable
{
    public ServeProcess(int idleSeconds = 60, IReadOnlyDictionary<string, string>? environment = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("deid-serve-").FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "deid.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--idle-timeout");
        start.ArgumentList.Add(idleSeconds.ToString());
        start.Environment["DEID_RUNTIME_DIR"] = Directory;
        start.Environment["DEID_CACHE_DIR"] = Path.Combine(Directory, "cache");
        start.Environment["DEID_MODELS"] = SharedAssets.ModelsDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        Process = Process.Start(start)!;
        Errors = Process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(SocketPath) && !Process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
        if (!File.Exists(SocketPath)) throw new InvalidOperationException("deid serve did not start");
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "serve.sock");

    public Process Process { get; }

    public Task<string> Errors { get; }

    /// <summary>
    /// A client of this server. The socket file appears when the server binds, a moment before it listens: a
    /// connection refused in that moment is tried again (a loaded machine stretched it enough to fail a test).
    /// </summary>
    public ServeClient Connect()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return new ServeClient(SocketPath);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && !Process.HasExited && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

public sealed class ServeClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly NetworkStream _stream;

    public ServeClient(string socketPath)
    {
        try
        {
            _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _stream = new NetworkStream(_socket, ownsSocket: false);
        _stream.ReadTimeout = 120_000;
    }

    public Dictionary<object, object> Request(Dictionary<string, object> message) => SendRaw(MessagePackSerializer.Serialize(message));

    public Dictionary<object, object> SendRaw(byte[] payload)
    {
        SendFrame(payload.Length, payload);
        return ReadReply();
    }

    public void SendFrame(int declaredLength, byte[] payload)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)declaredLength);
        _stream.Write(header);
        _stream.Write(payload);
    }

    public Dictionary<object, object> ReadReply()
    {
        var header = new byte[4];
        _stream.ReadExactly(header);
        var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header)];
        _stream.ReadExactly(payload);
        return (Dictionary<object, object>)MessagePackSerializer.Deserialize<object>(payload)!;
    }

    /// <summary>True when the server closed the connection.</summary>
    public bool IsClosedByServer()
    {
        try { return _stream.Read(new byte[1]) == 0; }
        catch (IOException) { return true; }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
