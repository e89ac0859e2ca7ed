namespace Deid.PluginHost.Tests.Serve.Caching;

/// <summary>A cache folder of its own for one test, removed with everything in it afterwards.</summary>
public sealed class TemporaryCacheFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("deid-cache-test-").FullName;

    public string Frames => System.IO.Path.Combine(Path, "frames");

    /// <summary>Bytes of all entry files under the frames folder right now.</summary>
    public long EntryBytes() => EntryFiles().Sum(f => SafeLength(f));

    public IReadOnlyList<string> EntryFiles() =>
        Directory.Exists(Frames) ? Directory.GetFiles(Frames, "*.dfc", SearchOption.AllDirectories) : [];

    /// <summary>Bytes of every file under the frames folder, temporary ones included.</summary>
    public long AllBytes() =>
        Directory.Exists(Frames) ? Directory.GetFiles(Frames, "*", SearchOption.AllDirectories).Sum(f => SafeLength(f)) : 0;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    private static long SafeLength(string file)
    {
        try { return new FileInfo(file).Length; }
        catch (FileNotFoundException) { return 0; }
    }
}
