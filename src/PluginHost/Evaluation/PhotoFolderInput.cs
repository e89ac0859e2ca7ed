using System.Text.RegularExpressions;
using Deid.Effect.Detection;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using OpenCvSharp;

namespace Deid.PluginHost.Evaluation;

/// <summary>
/// A folder of photos (jpg, jpeg, png; not its subfolders), each searched for faces on its own. A photo's person is
/// its file name without trailing digits and underscores ("obama2.jpg" and "obama.jpg" are one person), so a method
/// that plans per person sees all their photos; a photo with several faces gives each face a person of its own.
/// </summary>
public sealed partial class PhotoFolderInput : IEvaluationInput
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];
    private readonly List<(string Label, Mat Image, List<FaceRegion> Faces)> _photos = [];
    private readonly Dictionary<int, string> _keyByTrack = [];

    public PhotoFolderInput(string folder, IFaceDetector detector, bool quiet)
    {
        Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        string[] files;
        try
        {
            files = Directory.EnumerateFiles(folder)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliError($"cannot read the folder {folder}: {e.Message}");
        }
        if (files.Length == 0) throw new CliError($"no photos (.jpg, .jpeg, .png) in {folder}");

        var progress = new ConsoleProgress("detect", files.Length, quiet);
        var samples = new Dictionary<string, List<IdentitySample>>();
        var nextTrack = 0;
        foreach (var file in files)
        {
            var image = Cv2.ImRead(file, ImreadModes.Color);
            if (image.Empty())
            {
                image.Dispose();
                Dispose();
                throw new CliError($"cannot read the photo {file}: not an image OpenCV can decode");
            }
            var detections = detector.Detect(image);
            var person = PersonOf(file);
            var faces = new List<FaceRegion>();
            for (var k = 0; k < detections.Count; k++)
            {
                var face = new FaceRegion(nextTrack++, detections[k].Box, detections[k].Landmarks, detections[k].Score, Observed: true);
                var key = detections.Count == 1 ? person : $"{person}/face{k + 1}";
                _keyByTrack[face.TrackId] = key;
                faces.Add(face);
                if (!samples.TryGetValue(key, out var list)) samples[key] = list = [];
                list.Add(IdentitySample.Crop(image, face));
            }
            _photos.Add((Path.GetFileName(file), image, faces));
            progress.Report(_photos.Count);
        }
        progress.Finish(_photos.Count);

        Subject = new EvaluationSubject(samples.ToDictionary(
            p => p.Key,
            p => (IReadOnlyList<IdentitySample>)Strongest(p.Value)));
        ConfidentFaces = _photos.SelectMany((photo, index) => photo.Faces.Where(ConfidentFace.Is).Select(f => (index, f.TrackId))).ToList();
    }

    public string Name { get; }

    public bool IsClip => false;

    public int FrameCount => _photos.Count;

    public EvaluationSubject Subject { get; }

    public IReadOnlyList<(int Frame, int TrackId)> ConfidentFaces { get; }

    public string IdentityKeyOf(FaceRegion face) => _keyByTrack.TryGetValue(face.TrackId, out var key) ? key : $"face{face.TrackId}";

    public IEnumerable<EvaluationFrame> Frames(CancellationToken cancel)
    {
        for (var i = 0; i < _photos.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            yield return new EvaluationFrame(i, _photos[i].Label, _photos[i].Image, _photos[i].Faces);
        }
    }

    /// <summary>Keeps the clearest few; disposes the rest.</summary>
    private static List<IdentitySample> Strongest(List<IdentitySample> samples)
    {
        var kept = samples.OrderByDescending(s => s.Region.Score).Take(EvaluationSubject.SamplesPerIdentity).ToList();
        foreach (var dropped in samples.Except(kept)) dropped.Image.Dispose();
        return kept;
    }

    internal static string PersonOf(string file)
    {
        var stem = TrailingNumber().Replace(Path.GetFileNameWithoutExtension(file), "");
        return stem.Length > 0 ? stem : Path.GetFileNameWithoutExtension(file);
    }

    [GeneratedRegex("[0-9_]+$")]
    private static partial Regex TrailingNumber();

    public void Dispose()
    {
        foreach (var photo in _photos) photo.Image.Dispose();
        _photos.Clear();
        Subject?.Dispose();
    }
}
