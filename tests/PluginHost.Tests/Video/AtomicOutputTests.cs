using Deid.PluginHost.Video;

namespace Deid.PluginHost.Tests.Video;

public sealed class AtomicOutputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-atomic-").FullName;

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Temp_file_is_a_hidden_sibling_with_the_same_extension()
    {
        var final = Path.Combine(_directory, "clip.mov");
        using var output = new AtomicOutput(final);
        Assert.Equal(_directory, Path.GetDirectoryName(output.TempPath));
        Assert.Equal($".clip.deid-partial-{Environment.ProcessId}.mov", Path.GetFileName(output.TempPath));
        Assert.True(File.Exists(output.TempPath));
    }

    [Fact]
    public void Commit_replaces_the_final_file()
    {
        var final = Path.Combine(_directory, "out.mp4");
        File.WriteAllText(final, "old");
        using (var output = new AtomicOutput(final))
        {
            File.WriteAllText(output.TempPath, "new");
            Assert.Equal("old", File.ReadAllText(final));
            output.Commit();
        }
        Assert.Equal("new", File.ReadAllText(final));
        Assert.Equal([final], Directory.GetFiles(_directory));
    }

    [Fact]
    public void Dispose_without_commit_leaves_nothing_and_keeps_the_old_file()
    {
        var final = Path.Combine(_directory, "out.mp4");
        File.WriteAllText(final, "old");
        using (var output = new AtomicOutput(final))
        {
            File.WriteAllText(output.TempPath, "half");
        }
        Assert.Equal("old", File.ReadAllText(final));
        Assert.Equal([final], Directory.GetFiles(_directory));
    }

    [Fact]
    public void Output_equal_to_input_is_refused()
    {
        var input = Path.Combine(_directory, "clip.mp4");
        File.WriteAllText(input, "video");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, input);
        var error = Assert.Throws<VideoException>(() => new AtomicOutput(relative, input));
        Assert.Equal($"cannot write output {relative}: it is the input file; choose another output path", error.Message);
        Assert.Equal([input], Directory.GetFiles(_directory));
    }

    [Fact]
    public void Output_through_a_link_to_the_input_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        var input = Path.Combine(_directory, "clip.mp4");
        File.WriteAllText(input, "video");
        var link = Path.Combine(_directory, "link.mp4");
        File.CreateSymbolicLink(link, input);
        var error = Assert.Throws<VideoException>(() => new AtomicOutput(link, input));
        Assert.Contains("it is the input file", error.Message);
    }

    [Fact]
    public void Missing_directory_is_reported_before_any_work()
    {
        var final = Path.Combine(_directory, "no", "such", "out.mp4");
        var error = Assert.Throws<VideoException>(() => new AtomicOutput(final));
        Assert.Equal($"cannot write output {final}: directory {Path.GetDirectoryName(final)} does not exist", error.Message);
    }

    [Fact]
    public void Directory_as_output_is_refused()
    {
        var error = Assert.Throws<VideoException>(() => new AtomicOutput(_directory));
        Assert.Contains("it is a directory", error.Message);
    }

    [Fact]
    public void Unwritable_directory_is_reported_before_any_work()
    {
        var directory = UnwritableDirectory();
        var final = Path.Combine(directory, "out.mp4");
        var error = Assert.Throws<VideoException>(() => new AtomicOutput(final));
        Assert.StartsWith($"cannot write output {final}: ", error.Message);
        Assert.Contains("permission denied", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>
    /// A read-only directory of our own; where permissions do not bind (root), a system directory nobody may
    /// create files in.
    /// </summary>
    private string UnwritableDirectory()
    {
        if (OperatingSystem.IsWindows()) return Environment.GetFolderPath(Environment.SpecialFolder.Windows);
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            File.WriteAllText(Path.Combine(_directory, "probe"), "");
            File.Delete(Path.Combine(_directory, "probe"));
            return "/sys";
        }
        catch (UnauthorizedAccessException)
        {
            return _directory;
        }
    }
}
