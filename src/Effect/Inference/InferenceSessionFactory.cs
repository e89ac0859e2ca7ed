using Microsoft.ML.OnnxRuntime;

namespace Deid.Effect.Inference;

/// <summary>
/// Creates ONNX Runtime sessions on the execution provider chosen at run time. A GPU provider that cannot be
/// loaded (the CPU build of ONNX Runtime throws EntryPointNotFoundException for them, a missing driver throws
/// OnnxRuntimeException or DllNotFoundException) falls back to the CPU with a warning; the choice is logged once.
/// </summary>
public sealed class InferenceSessionFactory
{
    private readonly Action<string> _log;
    private readonly object _gate = new();
    private ExecutionDevice? _resolved;

    public InferenceSessionFactory(ExecutionDevice requested, Action<string>? log = null, int intraOpThreads = 0)
    {
        Requested = requested;
        _log = log ?? (_ => { });
        IntraOpThreads = intraOpThreads > 0 ? intraOpThreads : Environment.ProcessorCount;
    }

    public ExecutionDevice Requested { get; }

    public int IntraOpThreads { get; }

    /// <summary>The provider actually in use, known after the first session was created.</summary>
    public ExecutionDevice? Resolved { get { lock (_gate) return _resolved; } }

    public InferenceSession Create(string modelPath)
    {
        lock (_gate)
        {
            if (_resolved is { } known) return CreateOn(known, modelPath);

            foreach (var device in Candidates(Requested))
            {
                try
                {
                    var session = CreateOn(device, modelPath);
                    _resolved = device;
                    _log($"inference: {Describe(device)} (requested {Requested.ToString().ToLowerInvariant()})");
                    return session;
                }
                catch (Exception e) when (device != ExecutionDevice.Cpu)
                {
                    // Any exception type: the CPU package throws EntryPointNotFoundException, not OnnxRuntimeException.
                    // Asked for by name, a missing provider is worth a warning; tried by `auto`, it is expected on most machines.
                    var prefix = Requested == ExecutionDevice.Auto ? "inference:" : "warning:";
                    _log($"{prefix} {Describe(device)} unavailable ({e.GetType().Name}: {FirstLine(e.Message)}); falling back");
                }
            }
            throw new InvalidOperationException("no execution provider could be created");
        }
    }

    private static IEnumerable<ExecutionDevice> Candidates(ExecutionDevice requested) => requested switch
    {
        ExecutionDevice.Cpu => [ExecutionDevice.Cpu],
        ExecutionDevice.Cuda => [ExecutionDevice.Cuda, ExecutionDevice.Cpu],
        ExecutionDevice.DirectML => [ExecutionDevice.DirectML, ExecutionDevice.Cpu],
        _ when OperatingSystem.IsWindows() => [ExecutionDevice.DirectML, ExecutionDevice.Cuda, ExecutionDevice.Cpu],
        _ => [ExecutionDevice.Cuda, ExecutionDevice.Cpu],
    };

    private InferenceSession CreateOn(ExecutionDevice device, string modelPath)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        switch (device)
        {
            case ExecutionDevice.Cuda:
                options.AppendExecutionProvider_CUDA(0);
                break;
            case ExecutionDevice.DirectML:
                // DirectML does not support memory patterns or parallel execution.
                options.EnableMemoryPattern = false;
                options.AppendExecutionProvider_DML(0);
                break;
        }
        return new InferenceSession(modelPath, options);
    }

    private static string Describe(ExecutionDevice device) => device switch
    {
        ExecutionDevice.Cuda => "CUDA execution provider",
        ExecutionDevice.DirectML => "DirectML execution provider",
        _ => "CPU execution provider",
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
