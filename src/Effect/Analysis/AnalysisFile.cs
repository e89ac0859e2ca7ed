using System.Buffers.Binary;
using System.IO.Hashing;
using Deid.Effect.Detection;
using Deid.Effect.Identities;
using Deid.Effect.Pipeline;
using Deid.Effect.Tracking;
using MessagePack;
using OpenCvSharp;

namespace Deid.Effect.Analysis;

/// <summary>Saves and loads <see cref="ClipAnalysis"/> as an <see cref="AnalysisDocument"/>.</summary>
public static class AnalysisFile
{
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithCompression(MessagePackCompression.Lz4BlockArray).WithSecurity(MessagePackSecurity.UntrustedData);

    public static AnalysisDocument ToDocument(ClipAnalysis analysis, ClipFingerprint samples, (int Numerator, int Denominator) frameRate,
        IReadOnlyDictionary<string, string> models, float scoreThreshold, string sourceName)
    {
        var document = new AnalysisDocument
        {
            Fingerprint = analysis.Fingerprint,
            Width = analysis.Width,
            Height = analysis.Height,
            FrameRateNumerator = frameRate.Numerator,
            FrameRateDenominator = frameRate.Denominator,
            Models = new Dictionary<string, string>(models),
            ScoreThreshold = scoreThreshold,
            FingerprintSamples = samples.Samples.ToDictionary(p => p.Key, p => p.Value),
            SourceName = sourceName,
            CutFrames = [.. analysis.CutFrames],
        };
        var trackOf = new Dictionary<(int Frame, FaceDetection Detection), int>(ReferenceEqualityOnDetection.Instance);
        foreach (var track in analysis.Tracks)
            foreach (var (frame, detection) in track.Observations) trackOf[(frame, detection)] = track.Id;

        for (var frame = 0; frame < analysis.FrameCount; frame++)
        {
            var detections = analysis.Detections[frame];
            var flat = new float[detections.Count * AnalysisDocument.ValuesPerDetection];
            var tracks = new int[detections.Count];
            for (var i = 0; i < detections.Count; i++)
            {
                var d = detections[i];
                var values = flat.AsSpan(i * AnalysisDocument.ValuesPerDetection, AnalysisDocument.ValuesPerDetection);
                values[0] = d.Box.X; values[1] = d.Box.Y; values[2] = d.Box.Width; values[3] = d.Box.Height; values[4] = d.Score;
                for (var p = 0; p < FaceDetection.LandmarkCount; p++) { values[5 + 2 * p] = d.Landmarks[p].X; values[6 + 2 * p] = d.Landmarks[p].Y; }
                tracks[i] = trackOf[(frame, d)];
            }
            document.Detections.Add(flat);
            document.TrackOfDetection.Add(tracks);
        }
        document.Identities = analysis.Identities.Select(i => new IdentityRecord
        {
            Id = i.Id,
            TrackIds = [.. i.TrackIds],
            FirstFrame = i.FirstFrame,
            LastFrame = i.LastFrame,
            Centroid = i.Centroid,
            Embeddings = [.. i.Embeddings],
            Thumbnails = [.. i.Thumbnails],
            Samples = i.Samples.Select(f => new FaceSampleRecord
            {
                Png = f.Png,
                Box = [f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height],
                Landmarks = f.Landmarks.SelectMany(p => new[] { p.X, p.Y }).ToArray(),
                Score = f.Score,
            }).ToList(),
        }).ToList();
        return document;
    }

    /// <summary>
    /// The file starts with <see cref="Magic"/> and a checksum of the rest: a flipped bit in a face box would move
    /// the box off the face, so a damaged file must be refused, not half read.
    /// </summary>
    private static readonly byte[] Magic = "DEIDANL2"u8.ToArray();
    private const int HeaderLength = 16;

    public static void Save(AnalysisDocument document, string path)
    {
        var temporary = path + $".partial-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            var payload = MessagePackSerializer.Serialize(document, Options);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(Magic);
                Span<byte> checksum = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(checksum, XxHash3.HashToUInt64(payload));
                stream.Write(checksum);
                stream.Write(payload);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    public static AnalysisDocument Read(string path) => Parse(ReadBytes(path), path);

    /// <summary>The file's bytes; a file that cannot be read is a <see cref="FormatException"/> like a damaged one.</summary>
    public static byte[] ReadBytes(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new FormatException($"cannot read analysis {path}: {e.Message}"); }
    }

    /// <summary>An analysis from the bytes of its file (<paramref name="path"/> names it in errors).</summary>
    public static AnalysisDocument Parse(byte[] bytes, string path)
    {
        ReadOnlyMemory<byte> payload = bytes;
        if (bytes.AsSpan().StartsWith(Magic))
        {
            if (bytes.Length < HeaderLength) throw new FormatException($"{path} is truncated");
            payload = bytes.AsMemory(HeaderLength);
            if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(Magic.Length, 8)) != XxHash3.HashToUInt64(payload.Span))
                throw new FormatException($"{path} is damaged (its checksum does not match): analyse the clip again");
        }
        AnalysisDocument document;
        try { document = MessagePackSerializer.Deserialize<AnalysisDocument>(payload, Options); }
        catch (MessagePackSerializationException e) { throw new FormatException($"{path} is not a Deid analysis file ({e.InnerException?.Message ?? e.Message})"); }
        if (document.FormatVersion != AnalysisDocument.CurrentVersion)
            throw new FormatException($"{path} is analysis format {document.FormatVersion}; this deid reads format {AnalysisDocument.CurrentVersion}: analyse the clip again");
        Validate(document, path);
        return document;
    }

    /// <summary>Rebuilds the clip's tracks, regions and identities from a document, without detecting again.</summary>
    public static ClipAnalysis ToAnalysis(AnalysisDocument document, TrackingOptions? tracking = null)
    {
        var options = tracking ?? new TrackingOptions();
        var detections = new List<IReadOnlyList<FaceDetection>>(document.Detections.Count);
        var tracks = new SortedDictionary<int, FaceTrack>();
        for (var frame = 0; frame < document.Detections.Count; frame++)
        {
            var flat = document.Detections[frame];
            var list = new List<FaceDetection>(flat.Length / AnalysisDocument.ValuesPerDetection);
            for (var i = 0; i < flat.Length / AnalysisDocument.ValuesPerDetection; i++)
            {
                var v = flat.AsSpan(i * AnalysisDocument.ValuesPerDetection, AnalysisDocument.ValuesPerDetection);
                var landmarks = new Point2f[FaceDetection.LandmarkCount];
                for (var p = 0; p < landmarks.Length; p++) landmarks[p] = new Point2f(v[5 + 2 * p], v[6 + 2 * p]);
                var detection = new FaceDetection(new Rect2f(v[0], v[1], v[2], v[3]), landmarks, v[4]);
                list.Add(detection);
                var trackId = document.TrackOfDetection[frame][i];
                if (!tracks.TryGetValue(trackId, out var track)) tracks[trackId] = track = new FaceTrack(trackId);
                track.Add(frame, detection);
            }
            detections.Add(list);
        }
        var cuts = document.CutFrames ?? [];
        var builder = new TrackRegionBuilder(options);
        foreach (var track in tracks.Values) builder.Build(track, detections.Count, cuts);
        var identities = document.Identities
            .Select(r => new Identity(r.Id, r.TrackIds, r.FirstFrame, r.LastFrame, r.Centroid, r.Embeddings)
            {
                Thumbnails = r.Thumbnails,
                Samples = (r.Samples ?? []).Where(f => f.Box.Length == 4 && f.Landmarks.Length == 2 * FaceDetection.LandmarkCount && f.Png.Length > 0)
                    .Select(f => new FaceSample(f.Png, new Rect2f(f.Box[0], f.Box[1], f.Box[2], f.Box[3]),
                        Enumerable.Range(0, FaceDetection.LandmarkCount).Select(k => new Point2f(f.Landmarks[2 * k], f.Landmarks[2 * k + 1])).ToArray(), f.Score))
                    .ToList(),
            })
            .ToList();
        return new ClipAnalysis(document.Width, document.Height, detections, tracks.Values.ToList(), identities, document.Fingerprint, cuts);
    }

    private static void Validate(AnalysisDocument document, string path)
    {
        void Require(bool condition, string what)
        {
            if (!condition) throw new FormatException($"{path} is damaged: {what}");
        }
        Require(document.Width > 0 && document.Height > 0, "frame size");
        Require(document.FrameRateNumerator > 0 && document.FrameRateDenominator > 0, "frame rate");
        Require(document.Detections.Count > 0 && document.Detections.Count == document.TrackOfDetection.Count, "frame count");
        for (var frame = 0; frame < document.Detections.Count; frame++)
        {
            Require(document.Detections[frame] is { } flat && flat.Length % AnalysisDocument.ValuesPerDetection == 0
                && document.TrackOfDetection[frame] is { } ids && ids.Length == flat.Length / AnalysisDocument.ValuesPerDetection
                && ids.All(id => id >= 0), $"detections of frame {frame}");
        }
        Require(document.Identities.All(i => i.Id > 0 && i.TrackIds is not null && i.Embeddings is not null), "identities");
        var cuts = document.CutFrames ?? [];
        Require(cuts.All(c => c > 0 && c < document.Detections.Count) && cuts.Zip(cuts.Skip(1)).All(p => p.First < p.Second), "cut frames");
    }

    /// <summary>Detections are records; keys must compare by instance, so equal boxes in one frame stay apart.</summary>
    private sealed class ReferenceEqualityOnDetection : IEqualityComparer<(int Frame, FaceDetection Detection)>
    {
        public static readonly ReferenceEqualityOnDetection Instance = new();

        public bool Equals((int Frame, FaceDetection Detection) x, (int Frame, FaceDetection Detection) y) =>
            x.Frame == y.Frame && ReferenceEquals(x.Detection, y.Detection);

        public int GetHashCode((int Frame, FaceDetection Detection) obj) =>
            HashCode.Combine(obj.Frame, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Detection));
    }
}
