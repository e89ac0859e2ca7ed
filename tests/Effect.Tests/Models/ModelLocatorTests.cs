using Deid.Effect.Models;

namespace Deid.Effect.Tests.Models;

public sealed class ModelLocatorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-models-").FullName;

    [Fact]
    public void Every_catalogued_model_verifies_in_the_shared_folder()
    {
        var locator = SharedAssets.Models();
        Assert.All(locator.CheckAll(), check => Assert.Null(check.Problem));
    }

    [Fact]
    public void A_missing_model_names_the_file_the_search_path_and_the_variable()
    {
        var error = Assert.Throws<ModelException>(() => new ModelLocator([_directory]).Resolve(ModelCatalog.Detector));
        Assert.Contains("yunet_dynamic.onnx", error.Message);
        Assert.Contains(_directory, error.Message);
        Assert.Contains(ModelLocator.EnvironmentVariable, error.Message);
    }

    [Fact]
    public void An_altered_model_is_refused_with_both_digests()
    {
        var bytes = File.ReadAllBytes(Path.Combine(SharedAssets.ModelsDirectory, ModelCatalog.Recognizer.FileName));
        bytes[100] ^= 1;
        File.WriteAllBytes(Path.Combine(_directory, ModelCatalog.Recognizer.FileName), bytes);
        var error = Assert.Throws<ModelException>(() => new ModelLocator([_directory]).Resolve(ModelCatalog.Recognizer));
        Assert.Contains("not the expected", error.Message);
        Assert.Contains(ModelCatalog.Recognizer.Sha256, error.Message);
    }

    [Fact]
    public void An_altered_copy_earlier_on_the_path_does_not_hide_a_good_one_later()
    {
        File.WriteAllText(Path.Combine(_directory, ModelCatalog.Detector.FileName), "not a model");
        var locator = new ModelLocator([_directory, SharedAssets.ModelsDirectory]);
        Assert.Equal(Path.Combine(SharedAssets.ModelsDirectory, ModelCatalog.Detector.FileName), locator.Resolve(ModelCatalog.Detector));
    }

    [Fact]
    public void The_default_search_path_is_the_variable_then_the_install_then_the_user_cache()
    {
        var environment = new Dictionary<string, string?> { [ModelLocator.EnvironmentVariable] = _directory, ["XDG_CACHE_HOME"] = "/cache" };
        var path = ModelLocator.Default(name => environment.GetValueOrDefault(name)).SearchPath;
        Assert.Equal([_directory, Path.Combine(AppContext.BaseDirectory, "models"), Path.Combine("/cache", "deid", "models")], path);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
