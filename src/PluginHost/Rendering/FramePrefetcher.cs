using System.Collections.Concurrent;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// Reads frames on a background thread into a small ring of reused buffers, so decoding the next frame overlaps
/// with work on the current one (a pipe holds far less than one frame, so without it the decoder waits for us).
/// </summary>
public sealed class FramePrefetcher : IDisposable
{
    private readonly BlockingCollection<Mat> _free;
    private readonly BlockingCollection<Mat> _ready;
    private readonly List<Mat> _buffers;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly IDisposable? _source;
    private Exception? _failure;

    /// <param name="source">Disposed first on <see cref="Dispose"/>, which unblocks a read in progress.</param>
    public FramePrefetcher(Func<Mat, bool> read, int rows, int columns, MatType type, IDisposable? source = null, int depth = 3)
    {
        _source = source;
        _buffers = Enumerable.Range(0, depth).Select(_ => new Mat(rows, columns, type)).ToList();
        _free = new BlockingCollection<Mat>(new ConcurrentQueue<Mat>(_buffers));
        _ready = new BlockingCollection<Mat>(depth);
        _thread = new Thread(() => Pump(read)) { IsBackground = true, Name = "deid-frame-reader" };
        _thread.Start();
    }

    /// <summary>The next frame, or null at the end. Hand it back with <see cref="Release"/> once done with it.</summary>
    public Mat? Next()
    {
        if (_ready.TryTake(out var frame, Timeout.Infinite)) return frame;
        if (_failure is not null) throw _failure;
        return null;
    }

    public void Release(Mat frame) => _free.Add(frame);

    private void Pump(Func<Mat, bool> read)
    {
        try
        {
            while (true)
            {
                var buffer = _free.Take(_stop.Token);
                if (!read(buffer)) break;
                _ready.Add(buffer, _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { _failure = e; }
        finally { _ready.CompleteAdding(); }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _source?.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
        foreach (var buffer in _buffers) buffer.Dispose();
        _free.Dispose();
        _ready.Dispose();
        _stop.Dispose();
    }
}
