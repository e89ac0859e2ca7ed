using System.Diagnostics;
using Deid.Effect.Tests;

namespace Deid.PluginHost.Tests.Cli;

/// <summary>An interrupted render leaves no output file, and nothing that looks like one.</summary>
public sealed class InterruptedRenderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-interrupt-").FullName;

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_render_stopped_by_a_signal_leaves_nothing_behind(string signal)
    {
        var output = Path.Combine(_directory, "out.mp4");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "deid.dll"), "render", SharedAssets.HamiltonClip, "-o", output })
            start.ArgumentList.Add(argument);
        using var deid = Process.Start(start)!;
        var errors = deid.StandardError.ReadToEndAsync();

        // Wait until the render has started writing its temporary file, then interrupt it.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (Directory.GetFiles(_directory, "*deid-partial*").Length == 0 && !deid.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
        if (deid.HasExited) Assert.Fail("the render finished before it could be interrupted: " + await errors);
        Process.Start("kill", [$"-{signal}", deid.Id.ToString()])!.WaitForExit();
        Assert.True(deid.WaitForExit(30_000), "deid did not stop after the signal");

        Assert.NotEqual(0, deid.ExitCode);
        Assert.False(File.Exists(output), "an output file was left behind");
        Assert.Empty(Directory.GetFiles(_directory, "*", SearchOption.AllDirectories));
        Assert.Contains("deid: error: interrupted", await errors);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
