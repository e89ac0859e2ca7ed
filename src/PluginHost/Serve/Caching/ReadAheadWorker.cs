namespace Deid.PluginHost.Serve.Caching;

/// <summary>
/// Runs read-ahead requests one at a time on a lowest-priority thread. Only the newest request matters (the editor's
/// playhead has moved on), so a new request replaces the waiting one and cancels the running one.
/// </summary>
internal sealed class ReadAheadWorker : IDisposable
{
    private readonly Action<string, int, CancellationToken> _loadFrame;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private (string Fingerprint, int[] Frames)? _waiting;
    private CancellationTokenSource? _running;
    private bool _stopping;

    /// <param name="loadFrame">Loads one frame of one clip; called on the worker thread.</param>
    public ReadAheadWorker(Action<string, int, CancellationToken> loadFrame)
    {
        _loadFrame = loadFrame;
        _thread = new Thread(Run) { IsBackground = true, Name = "deid frame cache read-ahead", Priority = ThreadPriority.Lowest };
        _thread.Start();
    }

    public void Request(string fingerprint, int[] frames)
    {
        lock (_gate)
        {
            if (_stopping) return;
            _waiting = (fingerprint, frames);
            _running?.Cancel();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Cancels the running request and drops the waiting one.</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            _waiting = null;
            _running?.Cancel();
        }
    }

    /// <summary>Waits until no request is waiting or running; false if that took longer than <paramref name="timeout"/>.</summary>
    public bool WaitUntilIdle(TimeSpan timeout)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            while (_waiting is not null || _running is not null)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !_thread.IsAlive) return false;
                Monitor.Wait(_gate, (int)Math.Min(left, int.MaxValue));
            }
            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _waiting = null;
            _running?.Cancel();
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            (string Fingerprint, int[] Frames) request;
            CancellationTokenSource running;
            lock (_gate)
            {
                while (_waiting is null && !_stopping) Monitor.Wait(_gate);
                if (_stopping) return;
                request = _waiting!.Value;
                _waiting = null;
                _running = running = new CancellationTokenSource();
            }
            var token = running.Token;
            try
            {
                foreach (var frame in request.Frames)
                {
                    if (token.IsCancellationRequested) break;
                    _loadFrame(request.Fingerprint, frame, token);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                // Read-ahead is a hint: a failure costs a later miss, nothing more.
            }
            finally
            {
                lock (_gate)
                {
                    running.Dispose();
                    _running = null;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }
}
