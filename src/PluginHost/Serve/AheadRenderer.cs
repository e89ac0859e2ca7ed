namespace Deid.PluginHost.Serve;

/// <summary>
/// Render-ahead: frames the plugin sent ahead of the playhead (in its direction of travel) wait here and are rendered
/// on a background thread, nearest the playhead first, only while no frame a host asked for is waiting or rendering.
/// Only the newest few wait; a frame the host asks for before its turn is taken out and rendered once, by the host's
/// request. <paramref name="render"/> does the work (and takes whatever lock the renderer needs).
/// </summary>
public sealed class AheadRenderer<TJob>(Action<TJob> render, Func<TJob, object> keyOf, Action<string> log) : IDisposable
{
    private const int MaxJobs = 4;

    private readonly object _gate = new();
    private readonly LinkedList<TJob> _queue = new();
    private Thread? _thread;
    private int _foreground;
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    /// <summary>Marks a host's request as waiting or rendering until the returned scope ends.</summary>
    public ForegroundScope Foreground()
    {
        Interlocked.Increment(ref _foreground);
        return new ForegroundScope(this);
    }

    /// <summary>The default value marks nothing (a request that is itself a frame sent ahead).</summary>
    public readonly struct ForegroundScope(AheadRenderer<TJob>? owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner is not null) Interlocked.Decrement(ref owner._foreground);
        }
    }

    public void Queue(TJob job)
    {
        lock (_gate)
        {
            var key = keyOf(job);
            if (_stopping || _queue.Any(j => Equals(keyOf(j), key))) return;
            _queue.AddLast(job);
            while (_queue.Count > MaxJobs) _queue.RemoveFirst();
            _thread ??= Start();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Takes a waiting frame out: the host asked for it, and its request renders it.</summary>
    public void Drop(object key)
    {
        lock (_gate)
        {
            for (var node = _queue.First; node is not null; node = node.Next)
                if (Equals(keyOf(node.Value), key))
                {
                    _queue.Remove(node);
                    return;
                }
        }
    }

    private Thread Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "deid render-ahead", Priority = ThreadPriority.BelowNormal };
        thread.Start();
        return thread;
    }

    private void Run()
    {
        while (true)
        {
            TJob job;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_stopping) return;
                job = _queue.Last!.Value;
                _queue.RemoveLast();
            }
            while (Volatile.Read(ref _foreground) > 0 && !_stopping) Thread.Sleep(2);
            if (_stopping) return;
            try
            {
                render(job);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Rendering ahead is a favour: a failure leaves the frame to be rendered (and reported) when asked for.
                log($"render-ahead failed: {e.Message}");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _queue.Clear();
            Monitor.PulseAll(_gate);
        }
        _thread?.Join();
    }
}
