using System.Diagnostics;

namespace Deid.PluginHost.Cli;

/// <summary>
/// A progress bar on standard error: redrawn in place on a terminal (at most ten times a second), one line per
/// tenth of the work when standard error is a file or a pipe, nothing when quiet.
/// </summary>
public sealed class ConsoleProgress(string label, long total, bool quiet = false)
{
    private const int BarWidth = 28;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private long _lastDrawMs = -1000;
    private int _lastDecile = -1;

    public void Report(long done)
    {
        if (quiet) return;
        var elapsed = _clock.ElapsedMilliseconds;
        if (_interactive)
        {
            if (elapsed - _lastDrawMs < 100 && done < total) return;
            _lastDrawMs = elapsed;
            Console.Error.Write("\r" + Line(done, elapsed) + "\u001b[K");
        }
        else
        {
            var decile = total > 0 ? (int)(10 * done / total) : 0;
            if (decile == _lastDecile) return;
            _lastDecile = decile;
            Console.Error.WriteLine(Line(done, elapsed));
        }
    }

    public void Finish(long done)
    {
        if (quiet) return;
        if (_interactive) Console.Error.WriteLine("\r" + Line(done, _clock.ElapsedMilliseconds) + "\u001b[K");
        else if (_lastDecile < 10) Console.Error.WriteLine(Line(done, _clock.ElapsedMilliseconds));
    }

    private string Line(long done, long elapsedMs)
    {
        var fraction = total > 0 ? Math.Clamp(done / (double)total, 0, 1) : 0;
        var filled = (int)Math.Round(fraction * BarWidth);
        var seconds = elapsedMs / 1000.0;
        var rate = seconds > 0 ? done / seconds : 0;
        var remaining = rate > 0 && total > done ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        return $"{label,-9} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,5:0.0}% " +
               $"{done}/{total} frames  {rate,6:0.0} fps  ETA {remaining:mm\\:ss}";
    }
}
