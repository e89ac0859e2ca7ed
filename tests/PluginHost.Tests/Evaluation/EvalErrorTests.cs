using Deid.Effect.Tests;
using Deid.PluginHost.Evaluation;
using Deid.PluginHost.Tests.Cli;

namespace Deid.PluginHost.Tests.Evaluation;

/// <summary>Bad input to `deid eval`: one clear error line, a non-zero exit, no stack trace, no report written.</summary>
public sealed class EvalErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-eval-errors-").FullName;

    private string Json => Path.Combine(_directory, "report.json");

    private void AssertCleanFailure(DeidCli.Result run, params string[] expectedInMessage)
    {
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            l => l.StartsWith("deid: error:", StringComparison.Ordinal));
        foreach (var expected in expectedInMessage) Assert.Contains(expected, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.StandardError);
        Assert.False(File.Exists(Json), "a report was written");
    }

    [Fact]
    public void Missing_input() =>
        AssertCleanFailure(DeidCli.Run(["eval", Path.Combine(_directory, "nope"), "--json", Json]), "not found");

    [Fact]
    public void Unknown_method_lists_the_known_ones() =>
        AssertCleanFailure(DeidCli.Run(["eval", SharedAssets.Media("photos"), "--methods", "blur,swirl", "--json", Json]),
            "unknown method 'swirl'", "none", "blur", "pixelate", "solid", "replace");

    [Fact]
    public void A_folder_with_a_photo_that_cannot_be_read()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_directory, "photos")).FullName;
        File.WriteAllText(Path.Combine(folder, "person.jpg"), "not a picture\n");
        AssertCleanFailure(DeidCli.Run(["eval", folder, "--json", Json]), "cannot read the photo", "person.jpg");
    }

    [Fact]
    public void A_folder_without_photos()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_directory, "empty")).FullName;
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "no photos here\n");
        AssertCleanFailure(DeidCli.Run(["eval", folder, "--json", Json]), "no photos");
    }

    [Fact]
    public void Photos_cannot_be_judged_after_encoding() =>
        AssertCleanFailure(DeidCli.Run(["eval", SharedAssets.Media("photos"), "--encoded", "--methods", "blur", "--json", Json]), "--encoded needs a clip");

    [Fact]
    public void A_file_that_is_not_a_video()
    {
        var fake = Path.Combine(_directory, "notes.mp4");
        File.WriteAllText(fake, "this is not a video\n");
        AssertCleanFailure(DeidCli.Run(["eval", fake, "--json", Json]), "not a video");
    }

    [Fact]
    public void Method_names_are_read_in_order_once_each_and_any_case()
    {
        var methods = EvaluatedMethods.Create(" Solid,blur,solid ", new MethodOptions(1, 0));
        Assert.Equal(["solid", "blur"], methods.Select(m => m.Name));
        foreach (var method in methods) method.Dispose();
    }

    [Theory]
    [InlineData("obama2.jpg", "obama")]
    [InlineData("obama.jpg", "obama")]
    [InlineData("train_rose_leslie_img1.jpg", "train_rose_leslie_img")]
    [InlineData("2007_007763.jpg", "2007_007763")]
    public void A_photo_s_person_is_its_name_without_trailing_digits(string file, string person) =>
        Assert.Equal(person, PhotoFolderInput.PersonOf(file));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
