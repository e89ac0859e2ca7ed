using System.IO.MemoryMappedFiles;

namespace Deid.PluginHost.Serve;

/// <summary>
/// The bridge's shared-memory frame slots, mapped once and reused (a fresh mapping per frame costs page faults).
/// Only files inside the runtime folder are accepted; a slot that has grown is mapped again.
/// </summary>
public sealed class FrameSlots(string runtimeDirectory) : IDisposable
{
    private sealed record Mapping(MemoryMappedFile File, MemoryMappedViewAccessor View, long Length);

    private readonly string _root = Path.GetFullPath(runtimeDirectory) + Path.DirectorySeparatorChar;
    private readonly Dictionary<string, Mapping> _mappings = [];
    private readonly object _gate = new();

    /// <summary>Runs <paramref name="use"/> with a pointer to at least <paramref name="bytes"/> bytes of the slot.</summary>
    public unsafe T Use<T>(string path, long bytes, Func<IntPtr, T> use)
    {
        var full = Path.GetFullPath(path);
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!full.StartsWith(_root, comparison)) throw new FrameMessageException($"slot {path} is not inside the runtime folder");
        lock (_gate)
        {
            ForgetRemovedSlots();
            var length = File.Exists(full) ? new FileInfo(full).Length : throw new FrameMessageException($"slot {path} does not exist");
            if (length < bytes) throw new FrameMessageException($"slot {path} holds {length} bytes, the frame needs {bytes}");
            if (!_mappings.TryGetValue(full, out var mapping) || mapping.Length != length)
            {
                if (mapping is not null) Release(mapping);
                // Shared for writing and deleting: the plugin grows and removes its own slot while it is mapped here.
                var stream = new FileStream(full, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
                mapping = new Mapping(file, file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite), length);
                _mappings[full] = mapping;
            }
            byte* pointer = null;
            mapping.View.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            try { return use((IntPtr)(pointer + mapping.View.PointerOffset)); }
            finally { mapping.View.SafeMemoryMappedViewHandle.ReleasePointer(); }
        }
    }

    /// <summary>Unmaps slots whose files the plugin has deleted (an instance closed), so they do not pile up.</summary>
    private void ForgetRemovedSlots()
    {
        foreach (var path in _mappings.Keys.Where(path => !File.Exists(path)).ToList())
        {
            Release(_mappings[path]);
            _mappings.Remove(path);
        }
    }

    private static void Release(Mapping mapping)
    {
        mapping.View.Dispose();
        mapping.File.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var mapping in _mappings.Values) Release(mapping);
            _mappings.Clear();
        }
    }
}
