using Deid.Effect.Inference;
using Deid.Effect.Models;

namespace Deid.Effect.Tests.Inference;

public sealed class InferenceSessionFactoryTests
{
    private static string DetectorPath => SharedAssets.Models().Resolve(ModelCatalog.Detector);

    [Theory]
    [InlineData(ExecutionDevice.Cuda)]
    [InlineData(ExecutionDevice.DirectML)]
    public void A_gpu_provider_that_cannot_load_falls_back_to_the_cpu_with_a_warning(ExecutionDevice requested)
    {
        // This machine has the CPU build of ONNX Runtime and no GPU: the GPU providers cannot load here.
        var log = new List<string>();
        var factory = new InferenceSessionFactory(requested, log.Add);
        using var session = factory.Create(DetectorPath);
        Assert.Equal(ExecutionDevice.Cpu, factory.Resolved);
        Assert.Contains(log, line => line.StartsWith("warning:") && line.Contains("falling back"));
        Assert.Contains(log, line => line.StartsWith("inference: CPU execution provider"));
    }

    [Fact]
    public void Cpu_is_used_as_asked_and_the_choice_is_logged_once()
    {
        var log = new List<string>();
        var factory = new InferenceSessionFactory(ExecutionDevice.Cpu, log.Add);
        using var first = factory.Create(DetectorPath);
        using var second = factory.Create(DetectorPath);
        Assert.Equal(ExecutionDevice.Cpu, factory.Resolved);
        Assert.Single(log);
    }
}
