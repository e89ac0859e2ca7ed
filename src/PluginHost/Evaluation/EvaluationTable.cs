using System.Globalization;

namespace Deid.PluginHost.Evaluation;

/// <summary>The report as a plain-text table, one row per method, for the terminal.</summary>
public static class EvaluationTable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Column heading, what it means, and the value for one method; shared with the HTML report.</summary>
    public static readonly (string Heading, string Meaning, Func<MethodReport, string> Value)[] Columns =
    [
        ("within 0.6", "confident faces whose output is within the recognizer's 0.6 of the person (raw; lower hides better)", r => Percent(r.Identity.WithinThresholdShare)),
        ("leaked", "the same by the fair rule: within 0.6 and nearer than a heavily blurred copy, or untouched (lower hides better)", r => Percent(r.Identity.LeakedShare)),
        ("distance", "mean recognizer distance from the original (higher hides better)", r => Number(r.Identity.MeanDistance, "0.000")),
        ("natural", "faces the detector still finds at the same place (higher looks more like a face)", r => Percent(r.Naturalness.StillFoundShare)),
        ("pose 5deg", "head pose within 5 degrees on yaw, pitch and roll", r => Percent(r.PoseAndExpression.PoseKeptShare)),
        ("pose err", "median largest pose difference, degrees", r => Number(r.PoseAndExpression.MedianPoseDifferenceDegrees, "0.0")),
        ("eyes 15%", "eye opening within 15 %", r => Percent(r.PoseAndExpression.EyesKeptShare)),
        ("mouth 15%", "mouth opening within 15 % (at least 0.03 of the mouth's width)", r => Percent(r.PoseAndExpression.MouthKeptShare)),
        ("flicker", "frame-to-frame change inside the face, output over source (clips; above 1 adds flicker)", r => r.Flicker is null ? "-" : Number(r.Flicker.Ratio, "0.00")),
        ("changed", "consecutive faces of one track that the recognizer calls one person in the source and two in the output (clips; lower keeps one face)", r => r.Steadiness is null ? "-" : Percent(r.Steadiness.ChangedPersonShare)),
        ("fps", "frames per second of the method alone", r => Number(r.Speed.FramesPerSecond, "0.0")),
        ("ms/face", "milliseconds of the method per face", r => Number(r.Speed.MillisecondsPerFace, "0.00")),
    ];

    public static void Write(EvaluationReport report, TextWriter output)
    {
        output.WriteLine(string.Create(Invariant,
            $"{report.Input} ({report.Kind}): {report.Frames} {(report.Kind == "clip" ? "frames" : "photos")}, {report.Faces} faces, {report.ConfidentFaces} confident, {report.Identities} people, strength {report.Strength:0.##}{(report.Encoded ? ", judged after x264 encoding" : "")}"));
        var widths = Columns.Select(c => Math.Max(c.Heading.Length, 6)).ToArray();
        var methodWidth = Math.Max(8, report.Methods.Max(m => m.Method.Length));
        output.WriteLine($"{"method".PadRight(methodWidth)}  {string.Join("  ", Columns.Select((c, i) => c.Heading.PadLeft(widths[i])))}");
        foreach (var method in report.Methods)
            output.WriteLine($"{method.Method.PadRight(methodWidth)}  {string.Join("  ", Columns.Select((c, i) => c.Value(method).PadLeft(widths[i])))}");
        foreach (var method in report.Methods)
            if (Outcomes(method) is { } outcomes) output.WriteLine($"{method.Method}: {outcomes}");
        if (WhereRepeatable(report) is { } repeatable) output.WriteLine(repeatable);
        foreach (var method in report.Methods)
            if (ByPerson(method) is { } people) output.WriteLine(people);
    }

    /// <summary>A person needs this many confident faces for a line of their own: fewer make no share worth reading.</summary>
    private const int PersonMinimumFaces = 10;

    /// <summary>At most this many people per line, those with the most faces.</summary>
    private const int PeoplePerLine = 4;

    /// <summary>
    /// "replace by person (confident faces: within 0.6; pose / eyes / mouth kept): identity:1, 135 faces: 0.0%; 91.1 /
    /// 93.3 / 88.9%  |  identity:2, 51 faces: …" for the people with at least <see cref="PersonMinimumFaces"/> faces, or null when nobody has
    /// that many.
    /// </summary>
    public static string? ByPerson(MethodReport method)
    {
        var people = method.ByPerson?.Where(p => p.Faces >= PersonMinimumFaces).Take(PeoplePerLine).ToList();
        if (people is not { Count: > 0 }) return null;
        var parts = people.Select(p => string.Create(Invariant,
            $"{p.Identity}, {p.Faces} faces: {Percent(p.WithinThresholdShare)}; {Share(p.PoseKeptShare)} / {Share(p.EyesKeptShare)} / {Share(p.MouthKeptShare)}%"));
        return $"{method.Method} by person (confident faces: within 0.6; pose / eyes / mouth kept): {string.Join("  |  ", parts)}";
    }

    /// <summary>
    /// "pose / eyes / mouth kept on the faces whose reading of each the landmarker repeats half a pixel apart (176 /
    /// 176 / 165 of 186): replace 88.6 / 89.8 / 86.7%; …", or null when the faces carry no such reading.
    /// </summary>
    public static string? WhereRepeatable(EvaluationReport report)
    {
        var scored = report.Methods.Where(m => m.PoseAndExpression.WhereRepeatable is not null).ToList();
        if (scored.Count == 0) return null;
        var faces = scored[0].PoseAndExpression.WhereRepeatable!;
        var shares = scored.Select(m => Shares(m.Method, m.PoseAndExpression.WhereRepeatable!));
        return string.Create(Invariant, $"pose / eyes / mouth kept on the faces whose reading of each the landmarker repeats half a pixel apart ({faces.PoseFaces} / {faces.EyesFaces} / {faces.MouthFaces} of {scored[0].PoseAndExpression.Faces}): {string.Join("; ", shares)}");

        static string Shares(string method, RepeatableScores s) => $"{method} {Share(s.PoseKeptShare)} / {Share(s.EyesKeptShare)} / {Share(s.MouthKeptShare)}%";
    }

    private static string Share(double? share) => share is { } s ? (100 * s).ToString("0.0", Invariant) : "-";

    /// <summary>"812 of 1021 faces replaced; 120 blurred: still recognized, …" over every face, or null for a method that treats all faces alike.</summary>
    public static string? Outcomes(MethodReport method)
    {
        if (method.Outcomes is not { Count: > 0 } outcomes) return null;
        var total = outcomes.Sum(o => o.Faces);
        var parts = outcomes.Where(o => o.Faces > 0).Select(o => $"{o.Faces.ToString(Invariant)} {o.Outcome}");
        var changes = method.Steadiness?.TreatmentChanges is { } count
            ? $"; {count.ToString(Invariant)} of {method.Steadiness.FacePairs.ToString(Invariant)} consecutive confident faces of a track treated otherwise than the frame before (another new face, or a blur)"
            : "";
        return $"of {total.ToString(Invariant)} faces (all, not only confident): {string.Join("; ", parts)}{changes}";
    }

    public static string Percent(double? share) => share is { } s ? (100 * s).ToString("0.0", Invariant) + "%" : "-";

    public static string Number(double? value, string format) => value is { } v ? v.ToString(format, Invariant) : "-";
}
