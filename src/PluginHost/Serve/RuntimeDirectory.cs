using System.Runtime.InteropServices;

namespace Deid.PluginHost.Serve;

/// <summary>
/// The per-user folder that holds the server's socket and the frame slots: `$DEID_RUNTIME_DIR`, else
/// `$XDG_RUNTIME_DIR/deid`, else `/tmp/deid-&lt;uid&gt;` (on Windows `%LOCALAPPDATA%\deid\runtime`). Created with mode 0700; a folder owned by someone else or open
/// to others is refused, so no other user can reach the server or read frames.
/// </summary>
public static partial class RuntimeDirectory
{
    public const string Variable = "DEID_RUNTIME_DIR";

    public static string Resolve(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(Variable) is { Length: > 0 } configured) return configured;
        // Windows: the user's own local application data (its ACL admits that user only).
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "deid", "runtime");
        if (environment("XDG_RUNTIME_DIR") is { Length: > 0 } runtime) return Path.Combine(runtime, "deid");
        return Path.Combine(Path.GetTempPath(), $"deid-{UserId()}");
    }

    /// <summary>Creates the folder if needed and checks that only this user can use it.</summary>
    public static string Prepare(string directory)
    {
        if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(directory); return directory; }
        if (!Directory.Exists(directory)) Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mode = File.GetUnixFileMode(directory);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            throw new UnauthorizedAccessException($"{directory} is open to other users (mode {Convert.ToString((int)mode, 8)}); it must be 0700");
        if (OwnerOf(directory) is { } owner && owner != UserId())
            throw new UnauthorizedAccessException($"{directory} belongs to user {owner}, not to this user ({UserId()})");
        return directory;
    }

    public static uint UserId() => OperatingSystem.IsWindows() ? 0 : geteuid();

    /// <summary>Owner uid via stat(2); null where the layout of struct stat is not known (not x86-64 Linux).</summary>
    private static uint? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        var buffer = new byte[256];
        if (stat(path, buffer) != 0) return null;
        // x86-64 struct stat: st_dev (8), st_ino (8), st_nlink (8), st_mode (4), st_uid (4).
        return BitConverter.ToUInt32(buffer, 28);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat(string path, [Out] byte[] buffer);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
