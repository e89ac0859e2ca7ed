using Deid.Effect.Detection;
using Deid.Effect.Identities;
using Deid.Effect.Landmarks;
using Deid.Effect.Recognition;
using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement.Donors;

/// <summary>
/// The donor faces of a folder of portraits (people who agreed to lend their features, or generated faces): every
/// clear, large, near-frontal face of every image, upright in the canonical frame with its landmarks and embedding.
/// Files load in name order, so the same folder always gives the same donors (and the same seed the same new faces).
/// </summary>
public sealed class DonorBank : IDisposable
{
    /// <summary>Donor faces smaller than this (pixels, the box's smaller side) are too soft to lend detail.</summary>
    public const float MinimumFaceSize = 72f;

    public const float MinimumScore = 0.9f;

    /// <summary>The nose tip may sit at most this share of the eye distance off the eyes' middle (about 20 degrees of yaw).</summary>
    public const float MaximumTurn = 0.18f;

    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"];

    private readonly List<DonorFace> _faces;

    private DonorBank(List<DonorFace> faces, IReadOnlyList<string> skipped)
    {
        _faces = faces;
        Skipped = skipped;
    }

    public IReadOnlyList<DonorFace> Faces => _faces;

    /// <summary>Files of the folder that gave no donor face, with the reason.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>How many different people the donors are.</summary>
    public int People => _faces.Select(f => f.Person).Distinct().Count();

    public static DonorBank Load(string folder, IFaceDetector detector, Landmark68Detector landmarker, ResNetFaceEmbedder embedder)
    {
        if (!Directory.Exists(folder)) throw new DonorBankException($"donor folder {folder} does not exist");
        string[] files;
        try
        {
            files = ImageFiles(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DonorBankException($"donor folder {folder} cannot be read: {e.Message}", e);
        }
        var faces = new List<DonorFace>();
        var skipped = new List<string>();
        try
        {
            foreach (var file in files)
            {
                using var image = Cv2.ImRead(file, ImreadModes.Color);
                var name = Path.GetFileName(file);
                if (image.Empty()) { skipped.Add($"{name}: not an image"); continue; }
                var found = 0;
                foreach (var detection in detector.Detect(image))
                {
                    if (detection.Score < MinimumScore || MathF.Min(detection.Box.Width, detection.Box.Height) < MinimumFaceSize) continue;
                    if (Prepare(name, image, detection, landmarker, embedder, faces) is { } face) { faces.Add(face); found++; }
                }
                if (found == 0) skipped.Add($"{name}: no clear, large, frontal face");
            }
        }
        catch
        {
            foreach (var face in faces) face.Dispose();
            throw;
        }
        if (faces.Count == 0) throw new DonorBankException($"donor folder {folder} has no usable face (clear, at least {MinimumFaceSize:0} px, near-frontal)");
        return new DonorBank(faces, skipped);
    }

    /// <summary>The folder's image files, in name order.</summary>
    public static string[] ImageFiles(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToArray();

    private static DonorFace? Prepare(string name, Mat image, FaceDetection detection, Landmark68Detector landmarker, ResNetFaceEmbedder embedder, List<DonorFace> known)
    {
        var toCanonical = CanonicalFace.TransformFor(detection.Landmarks, CanonicalFace.Size);
        var points = CanonicalFace.Map(toCanonical, landmarker.Locate(image, detection.Box));
        if (!Plausible(points)) return null;
        var canonical = new Mat();
        using (var matrix = Geometry.SimilarityTransform.ToMat(toCanonical))
            Cv2.WarpAffine(image, canonical, matrix, new Size(CanonicalFace.Size, CanonicalFace.Size), InterpolationFlags.Area, BorderTypes.Replicate);
        using var chip = new Mat();
        FaceAligner.Align(image, detection.Landmarks, chip);
        var embedding = embedder.Embed([chip])[0];
        // Same person as a donor already known: the recognizer's own match rule.
        var person = known.FirstOrDefault(k => EmbeddingMath.Distance(k.Embedding, embedding) < embedder.MatchThreshold)?.Person
            ?? (known.Count == 0 ? 0 : known.Max(k => k.Person) + 1);
        return new DonorFace(name, canonical, points, embedding, person);
    }

    /// <summary>Landmarks of an upright, near-frontal face inside the canonical square.</summary>
    private static bool Plausible(Point2f[] points)
    {
        if (points.Length != Face68.Count || points.Any(p => !float.IsFinite(p.X) || !float.IsFinite(p.Y))) return false;
        const float size = CanonicalFace.Size;
        if (points.Any(p => p.X < 0 || p.X >= size || p.Y < 0 || p.Y >= size)) return false;
        var right = Face68.Centre(points, Face68.RightEye);
        var left = Face68.Centre(points, Face68.LeftEye);
        var eyes = new Point2f((right.X + left.X) / 2, (right.Y + left.Y) / 2);
        var nose = points[Face68.NoseTip];
        var mouth = Face68.Centre(points, Face68.OuterMouth);
        var chin = points[8];
        if (!(right.X < left.X && eyes.Y < nose.Y && nose.Y < mouth.Y && mouth.Y < chin.Y)) return false;
        return MathF.Abs(nose.X - eyes.X) <= MaximumTurn * (left.X - right.X);
    }

    public void Dispose()
    {
        foreach (var face in _faces) face.Dispose();
        _faces.Clear();
    }
}
