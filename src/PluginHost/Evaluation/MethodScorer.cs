using Deid.Effect.Evaluation;

namespace Deid.PluginHost.Evaluation;

/// <summary>Adds up one method's measures over the frames and turns them into its <see cref="MethodReport"/>.</summary>
public sealed class MethodScorer(string method, float matchThreshold)
{
    private int _frames;
    private int _facesAnonymized;
    private TimeSpan _time;
    private int _identityFaces, _withinThreshold, _leaked;
    private double _distanceSum;
    private int _naturalnessFaces, _stillFound;
    private int _poseFaces, _poseKept, _eyesKept, _mouthKept;
    private readonly List<double> _poseDifferences = [];
    private int _flickerPairs;
    private double _sourceFlicker, _outputFlicker;
    private readonly List<FaceRecord> _records = [];

    public string Method { get; } = method;

    public void AddFrame(int faces, TimeSpan anonymizing)
    {
        _frames++;
        _facesAnonymized += faces;
        _time += anonymizing;
    }

    public void AddLeak(LeakVerdict verdict)
    {
        _identityFaces++;
        _distanceSum += verdict.Distance;
        if (verdict.Distance <= matchThreshold) _withinThreshold++;
        if (verdict.Leaked) _leaked++;
    }

    /// <summary>A face the detector found in the source crop; <paramref name="stillFound"/>: and in the output's.</summary>
    public void AddNaturalness(bool stillFound)
    {
        _naturalnessFaces++;
        if (stillFound) _stillFound++;
    }

    public void AddPoseAndExpression(FaceMeasures original, FaceMeasures output)
    {
        _poseFaces++;
        _poseDifferences.Add(original.Pose.LargestDifference(output.Pose));
        if (original.PoseKeptIn(output)) _poseKept++;
        if (original.EyesKeptIn(output)) _eyesKept++;
        if (original.MouthKeptIn(output)) _mouthKept++;
    }

    public void AddRecord(FaceRecord record) => _records.Add(record);

    public void AddFlicker(double source, double output)
    {
        _flickerPairs++;
        _sourceFlicker += source;
        _outputFlicker += output;
    }

    public MethodReport Report(bool isClip, IReadOnlyList<FaceOutcomeCount>? outcomes = null) => new(
        Method, _frames, _facesAnonymized,
        new IdentityScores(_identityFaces, Share(_withinThreshold, _identityFaces), Share(_leaked, _identityFaces), Mean(_distanceSum, _identityFaces)),
        new NaturalnessScores(_naturalnessFaces, Share(_stillFound, _naturalnessFaces)),
        new PoseExpressionScores(_poseFaces, Share(_poseKept, _poseFaces), Share(_eyesKept, _poseFaces), Share(_mouthKept, _poseFaces),
            Median(_poseDifferences)),
        isClip
            ? new FlickerScores(_flickerPairs, Mean(_sourceFlicker, _flickerPairs), Mean(_outputFlicker, _flickerPairs),
                _sourceFlicker > 0 ? _outputFlicker / _sourceFlicker : null)
            : null,
        new SpeedScores(
            _time > TimeSpan.Zero ? _frames / _time.TotalSeconds : null,
            _facesAnonymized > 0 ? _time.TotalMilliseconds / _facesAnonymized : null),
        outcomes,
        _records.ToList());

    private static double? Share(int count, int total) => total > 0 ? (double)count / total : null;

    private static double? Mean(double sum, int count) => count > 0 ? sum / count : null;

    /// <summary>
    /// The median, not the mean: on a face a method has wiped out, the 68-point fit lands anywhere and the pose fit
    /// on it can come out turned by 90 degrees or more, so a mean would be those few fits.
    /// </summary>
    private static double? Median(List<double> values) => values.Count > 0 ? values.Order().ElementAt(values.Count / 2) : null;
}
