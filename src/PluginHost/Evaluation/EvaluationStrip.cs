using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// A picture to judge the methods at a glance: up to <see cref="MaxFaces"/> confident faces spread over the input,
/// one column each, the original on top and each method's output below it, every row and column labelled.
/// </summary>
public sealed class EvaluationStrip(IReadOnlyList<string> methods) : IDisposable
{
    public const int MaxFaces = 12;
    public const int Cell = 160;
    public const int Gap = 4;
    public const int LabelWidth = 84;
    public const int HeaderHeight = 20;

    /// <summary>The crop side over the face box's larger side: the whole anonymized ellipse and a little around it.</summary>
    private const float CropGrowth = 1.9f;

    private const HersheyFonts Font = HersheyFonts.HersheySimplex;
    private static readonly Scalar Background = new(250, 250, 250);
    private static readonly Scalar Ink = new(40, 40, 40);

    private readonly List<(int Frame, int TrackId)> _chosen = [];
    private readonly Dictionary<(int Frame, int TrackId), (string Label, Mat Crop)> _originals = [];
    private readonly Dictionary<(string Method, int Frame, int TrackId), Mat> _outputs = [];

    public IReadOnlyList<string> Methods { get; } = methods;

    /// <summary>The image size for this many faces and methods (the original row comes on top of the methods' rows).</summary>
    public static Size SizeFor(int faces, int methodCount) =>
        new(LabelWidth + faces * (Cell + Gap) + Gap, HeaderHeight + (methodCount + 1) * (Cell + Gap) + Gap);

    /// <summary>Picks faces evenly spaced over the input's confident faces; returns them to be handed to <see cref="Add"/>.</summary>
    public HashSet<(int Frame, int TrackId)> Choose(IReadOnlyList<(int Frame, int TrackId)> candidates)
    {
        _chosen.Clear();
        var count = Math.Min(MaxFaces, candidates.Count);
        for (var i = 0; i < count; i++) _chosen.Add(candidates[(int)((i + 0.5) * candidates.Count / count)]);
        return _chosen.ToHashSet();
    }

    public void Add(int frame, FaceRegion face, string label, Mat original, string method, Mat output)
    {
        var key = (frame, face.TrackId);
        if (!_originals.ContainsKey(key)) _originals[key] = (label, CropOf(original, face.Box));
        if (!_outputs.ContainsKey((method, frame, face.TrackId))) _outputs[(method, frame, face.TrackId)] = CropOf(output, face.Box);
    }

    public byte[] ToPng()
    {
        using var image = Draw();
        return image.ImEncode(".png");
    }

    public Mat Draw()
    {
        var faces = _chosen.Where(_originals.ContainsKey).ToList();
        var size = SizeFor(faces.Count, Methods.Count);
        var canvas = new Mat(size, MatType.CV_8UC3, Background);
        for (var row = 0; row <= Methods.Count; row++)
        {
            var top = HeaderHeight + row * (Cell + Gap) + Gap;
            Cv2.PutText(canvas, row == 0 ? "original" : Methods[row - 1], new Point(Gap, top + Cell / 2 + 5), Font, 0.45, Ink, 1, LineTypes.AntiAlias);
        }
        for (var column = 0; column < faces.Count; column++)
        {
            var left = LabelWidth + column * (Cell + Gap) + Gap;
            var (label, original) = _originals[faces[column]];
            Cv2.PutText(canvas, Fit(label), new Point(left, HeaderHeight - 6), Font, 0.35, Ink, 1, LineTypes.AntiAlias);
            Paste(canvas, original, left, HeaderHeight + Gap);
            for (var m = 0; m < Methods.Count; m++)
            {
                if (_outputs.TryGetValue((Methods[m], faces[column].Frame, faces[column].TrackId), out var output))
                    Paste(canvas, output, left, HeaderHeight + (m + 1) * (Cell + Gap) + Gap);
            }
        }
        return canvas;
    }

    private static void Paste(Mat canvas, Mat crop, int left, int top)
    {
        using var target = new Mat(canvas, new Rect(left, top, Cell, Cell));
        crop.CopyTo(target);
    }

    /// <summary>A square around the face scaled to one cell; outside the frame is grey.</summary>
    private static Mat CropOf(Mat frame, Rect2f box)
    {
        var side = MathF.Max(box.Width, box.Height) * CropGrowth;
        var scale = side / Cell;
        var x = box.X + box.Width / 2 - side / 2;
        var y = box.Y + box.Height / 2 - side / 2;
        using var transform = new Mat(2, 3, MatType.CV_64FC1);
        transform.Set(0, 0, (double)scale); transform.Set(0, 1, 0.0); transform.Set(0, 2, (double)x);
        transform.Set(1, 0, 0.0); transform.Set(1, 1, (double)scale); transform.Set(1, 2, (double)y);
        var crop = new Mat();
        Cv2.WarpAffine(frame, crop, transform, new Size(Cell, Cell), InterpolationFlags.Area | InterpolationFlags.WarpInverseMap,
            BorderTypes.Constant, new Scalar(128, 128, 128));
        return crop;
    }

    /// <summary>Shortens a column label to the cell's width (OpenCV draws ASCII only).</summary>
    private static string Fit(string label)
    {
        var text = new string(label.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        while (text.Length > 3 && Cv2.GetTextSize(text, Font, 0.35, 1, out _).Width > Cell) text = text[..^2] + "~";
        return text;
    }

    public void Dispose()
    {
        foreach (var (_, crop) in _originals.Values) crop.Dispose();
        foreach (var crop in _outputs.Values) crop.Dispose();
    }
}
