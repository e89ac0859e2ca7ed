using System.Diagnostics;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>
/// The tiny ONNX generators of tests/Effect.Tests/Assets/make_test_generator.py, built once per test run into a
/// temporary folder with the system Python and its onnx package (Debian: python3-onnx, which .ci/run installs), so
/// no model file is kept in the repository. A machine without them fails these tests, saying what to install.
/// </summary>
public static class TestGenerators
{
    private static readonly Lazy<string> Folder = new(Build);

    public static string Path(string name) => System.IO.Path.Combine(Folder.Value, name);

    private static string Build()
    {
        var folder = Directory.CreateTempSubdirectory("deid-test-generators-").FullName;
        var script = System.IO.Path.Combine(SharedAssets.RepositoryRoot, "tests", "Effect.Tests", "Assets", "make_test_generator.py");
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(folder);
        using var run = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {python}");
        var errors = run.StandardError.ReadToEnd();
        run.WaitForExit();
        if (run.ExitCode != 0)
            throw new InvalidOperationException($"building the test generators failed ({python} {script}; needs the onnx and numpy packages, e.g. apt-get install python3-onnx): {errors}");
        return folder;
    }
}
