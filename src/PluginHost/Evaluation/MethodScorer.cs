namespace Deid.PluginHost.Evaluation;

/// <summary>
/// Gathers one method's faces and frames and turns them into its <see cref="MethodReport"/>. Every face share is
/// computed from the <see cref="FaceRecord"/>s themselves, so the shares and the records a reader looks up behind
/// them cannot disagree; only what is not per face (time, flicker pairs) is counted.
/// </summary>
public sealed class MethodScorer(string method, float matchThreshold)
{
    private int _frames;
    private int _facesAnonymized;
    private TimeSpan _time;
    private int _flickerPairs;
    private double _sourceFlicker, _outputFlicker;
    private readonly List<FaceRecord> _faces = [];

    public string Method { get; } = method;

    public void AddFrame(int faces, TimeSpan anonymizing)
    {
        _frames++;
        _facesAnonymized += faces;
        _time += anonymizing;
    }

    /// <summary>One confident face as the method left it.</summary>
    public void AddFace(FaceRecord face) => _faces.Add(face);

    public void AddFlicker(double source, double output)
    {
        _flickerPairs++;
        _sourceFlicker += source;
        _outputFlicker += output;
    }

    public MethodReport Report(bool isClip, IReadOnlyList<FaceOutcomeCount>? outcomes = null)
    {
        var faces = _faces.ToList();
        // Naturalness only counts faces the detector found in the source; elsewhere "still a face" has no meaning.
        var probed = faces.Where(f => f.StillFound is not null).ToList();
        return new(
            Method, _frames, _facesAnonymized,
            new IdentityScores(faces.Count, Share(faces, f => f.Distance <= matchThreshold), Share(faces, f => f.Leaked),
                faces.Count > 0 ? faces.Average(f => f.Distance) : null),
            new NaturalnessScores(probed.Count, Share(probed, f => f.StillFound == true)),
            new PoseExpressionScores(faces.Count, Share(faces, f => f.PoseKept), Share(faces, f => f.EyesKept), Share(faces, f => f.MouthKept),
                Median(faces.Select(f => f.PoseDifferenceDegrees).ToList()), WhereRepeatable(faces)),
            isClip
                ? new FlickerScores(_flickerPairs, Mean(_sourceFlicker, _flickerPairs), Mean(_outputFlicker, _flickerPairs),
                    _sourceFlicker > 0 ? _outputFlicker / _sourceFlicker : null)
                : null,
            isClip ? Steadiness(faces) : null,
            new SpeedScores(
                _time > TimeSpan.Zero ? _frames / _time.TotalSeconds : null,
                _facesAnonymized > 0 ? _time.TotalMilliseconds / _facesAnonymized : null),
            outcomes,
            ByPerson(faces),
            faces);
    }

    /// <summary>Each person's shares, the person with the most faces first.</summary>
    private List<PersonScores> ByPerson(List<FaceRecord> faces) => faces
        .GroupBy(f => f.Identity, StringComparer.Ordinal)
        .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
        .Select(g =>
        {
            var own = g.ToList();
            var probed = own.Where(f => f.StillFound is not null).ToList();
            return new PersonScores(g.Key, own.Count, Share(own, f => f.Distance <= matchThreshold), Share(probed, f => f.StillFound == true),
                Share(own, f => f.PoseKept), Share(own, f => f.EyesKept), Share(own, f => f.MouthKept));
        })
        .ToList();

    private static RepeatableScores? WhereRepeatable(List<FaceRecord> faces)
    {
        if (faces.Count == 0 || faces.Any(f => f.Repeatable is null)) return null;
        var pose = faces.Where(f => f.Repeatable!.Pose).ToList();
        var eyes = faces.Where(f => f.Repeatable!.Eyes).ToList();
        var mouth = faces.Where(f => f.Repeatable!.Mouth).ToList();
        return new RepeatableScores(pose.Count, Share(pose, f => f.PoseKept), eyes.Count, Share(eyes, f => f.EyesKept), mouth.Count, Share(mouth, f => f.MouthKept));
    }

    private SteadinessScores Steadiness(List<FaceRecord> faces)
    {
        var pairs = faces.Where(f => f.SourceChange is not null && f.OutputChange is not null).ToList();
        var samePerson = pairs.Where(f => f.SourceChange <= matchThreshold).ToList();
        return new SteadinessScores(pairs.Count, Median(pairs.Select(f => f.SourceChange!.Value).ToList()),
            Median(pairs.Select(f => f.OutputChange!.Value).ToList()), Share(samePerson, f => f.OutputChange > matchThreshold),
            faces.Any(f => f.Outcome is not null) ? TreatmentChanges(faces) : null);
    }

    /// <summary>Consecutive faces of one track treated differently; every kind of blur counts as one treatment.</summary>
    private static int TreatmentChanges(List<FaceRecord> faces)
    {
        static string? Treatment(FaceRecord face) => face.Outcome?.StartsWith("blurred", StringComparison.Ordinal) == true ? "blurred" : face.Outcome;
        var byFrame = faces.GroupBy(f => (f.Frame, f.Track)).ToDictionary(g => g.Key, g => g.First());
        return faces.Count(f => f.SourceChange is not null && byFrame.TryGetValue((f.Frame - 1, f.Track), out var before) && Treatment(before) != Treatment(f));
    }

    private static double? Share(List<FaceRecord> faces, Func<FaceRecord, bool> holds) =>
        faces.Count > 0 ? (double)faces.Count(holds) / faces.Count : null;

    private static double? Mean(double sum, int count) => count > 0 ? sum / count : null;

    /// <summary>
    /// The median, not the mean: on a face a method has wiped out, the 68-point fit lands anywhere and the pose fit
    /// on it can come out turned by 90 degrees or more, so a mean would be those few fits.
    /// </summary>
    private static double? Median(List<double> values) => values.Count > 0 ? values.Order().ElementAt(values.Count / 2) : null;
}
