using Deid.PluginHost.Serve.Caching;

namespace Deid.PluginHost.Tests.Serve.Caching;

public sealed class CacheSettingsTests
{
    private static CacheSettings From(bool windows = false, params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return CacheSettings.FromVariables(name => map.GetValueOrDefault(name), windows);
    }

    [Fact]
    public void Defaults_are_the_home_cache_folder_1_GiB_of_memory_and_8_GiB_of_disk()
    {
        var settings = From(false, ("HOME", "/home/editor"));
        Assert.Equal(Path.GetFullPath("/home/editor/.cache/deid"), settings.Directory);
        Assert.Equal(1024L << 20, settings.MemoryBudgetBytes);
        Assert.Equal(8192L << 20, settings.DiskBudgetBytes);
        Assert.Equal(Path.Combine(settings.Directory, "frames"), settings.FramesDirectory);
        Assert.Equal(Path.Combine(settings.Directory, "analyses"), settings.AnalysesDirectory);
    }

    [Fact]
    public void The_folder_comes_from_DEID_CACHE_DIR_then_XDG_CACHE_HOME_then_HOME()
    {
        Assert.Equal(Path.GetFullPath("/data/deid"), From(false, ("DEID_CACHE_DIR", "/data/deid"), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/e")).Directory);
        Assert.Equal(Path.GetFullPath("/xdg/deid"), From(false, ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/e")).Directory);
        Assert.Equal(Path.GetFullPath("/home/e/.cache/deid"), From(false, ("XDG_CACHE_HOME", "relative/xdg"), ("HOME", "/home/e")).Directory);
        Assert.Equal(Path.GetFullPath(Path.Combine("/local/app", "deid", "cache")), From(true, ("LOCALAPPDATA", "/local/app"), ("XDG_CACHE_HOME", "/xdg")).Directory);
    }

    [Fact]
    public void Budgets_come_from_the_environment_in_MiB_and_0_turns_a_tier_off()
    {
        var settings = From(false, ("HOME", "/h"), ("DEID_FRAME_CACHE_MB", "256"), ("DEID_DISK_CACHE_MB", "0"));
        Assert.Equal(256L << 20, settings.MemoryBudgetBytes);
        Assert.Equal(0, settings.DiskBudgetBytes);
    }

    [Theory]
    [InlineData("DEID_FRAME_CACHE_MB", "lots")]
    [InlineData("DEID_FRAME_CACHE_MB", "-1")]
    [InlineData("DEID_DISK_CACHE_MB", "1.5")]
    [InlineData("DEID_DISK_CACHE_MB", "99999999999999999999")]
    public void An_unusable_budget_is_a_clear_error(string variable, string value)
    {
        var error = Assert.Throws<FormatException>(() => From(false, ("HOME", "/h"), (variable, value)));
        Assert.Contains(variable, error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void A_different_folder_keeps_the_budgets()
    {
        var settings = From(false, ("HOME", "/h"), ("DEID_DISK_CACHE_MB", "5")) with { Directory = "/elsewhere" };
        Assert.Equal(Path.GetFullPath("/elsewhere"), settings.Directory);
        Assert.Equal(5L << 20, settings.DiskBudgetBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => settings with { DiskBudgetBytes = -1 });
    }
}
