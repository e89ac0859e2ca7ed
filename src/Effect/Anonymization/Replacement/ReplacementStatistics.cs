namespace Deid.Effect.Anonymization.Replacement;

/// <summary>Running counts and timings of a <see cref="FaceReplacer"/>: what happened to how many faces, at what cost.</summary>
public sealed class ReplacementStatistics
{
    private readonly object _gate = new();
    private readonly Dictionary<ReplacementOutcome, int> _outcomes = [];
    private TimeSpan _faceTime;
    private TimeSpan _planTime;

    public int Faces { get { lock (_gate) return _outcomes.Values.Sum(); } }

    public int Plans { get; private set; }

    public int Count(ReplacementOutcome outcome) { lock (_gate) return _outcomes.GetValueOrDefault(outcome); }

    public double MillisecondsPerFace { get { lock (_gate) { var faces = _outcomes.Values.Sum(); return faces == 0 ? 0 : _faceTime.TotalMilliseconds / faces; } } }

    public double MillisecondsPerPlan { get { lock (_gate) return Plans == 0 ? 0 : _planTime.TotalMilliseconds / Plans; } }

    internal void AddFace(ReplacementOutcome outcome, TimeSpan time)
    {
        lock (_gate)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
            _faceTime += time;
        }
    }

    /// <summary>One face counted as <paramref name="from"/> turned out <paramref name="to"/> after all.</summary>
    internal void Reclassify(ReplacementOutcome from, ReplacementOutcome to)
    {
        lock (_gate)
        {
            if (_outcomes.GetValueOrDefault(from) == 0) return;
            _outcomes[from]--;
            _outcomes[to] = _outcomes.GetValueOrDefault(to) + 1;
        }
    }

    internal void AddPlan(TimeSpan time)
    {
        lock (_gate)
        {
            Plans++;
            _planTime += time;
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            var outcomes = string.Join(", ", _outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
            return $"{Faces} faces ({outcomes}), {MillisecondsPerFace:0.0} ms per face; {Plans} plans, {MillisecondsPerPlan:0} ms per plan";
        }
    }
}
