using Deid.Effect.Evaluation;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using Deid.PluginHost.Cli;
using Deid.PluginHost.Evaluation;
using Deid.PluginHost.Video;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// Reads a rendered file back beside its source and finds the hidden faces that it, as encoded, still shows too
/// near their person. The encoder decides what a face finally looks like: it codes each face as its prediction from
/// the frame before plus what it affords of the difference, so a face judged clear before encoding can come out
/// nearer. Each face is judged as a recognizer looking at the file would judge it: aligned at the detector's own
/// points on that frame, source face against written face.
/// Only confident faces are judged (<see cref="ConfidentFace"/>, the faces the quality measures count): on doubtful
/// detections and boxes carried between detections the recognizer's distances mean nothing, and there they swing
/// from one encoding to the next (Hamilton clip: blurred boxes judged nearer and farther than a blob by turns, as
/// the faces around them changed). A judged face is too near when it is within <c>tooNear</c> of the source face:
/// the match distance and <see cref="EncodingMargin"/>. That holds for blurred faces too, though on small or dark faces the recognizer places any blob near the person: a fill can still be farther
/// than a blur there, as it takes the last of the face's colours and outline away (a 42 px face at the edge of the
/// Hamilton clip: new face 0.59, heavy blur 0.53, filled 0.73). How near a blob comes
/// (<see cref="RecognizedFace.BlurredDistance"/>) decides the next step (<see cref="EscalatedFaces"/>).
/// </summary>
public static class OutputFaceCheck
{
    /// <summary>
    /// A face counts as too near this much beyond the match distance: written again after a check, the clip is
    /// encoded again, and faces nobody touched come out a little nearer or farther (Hamilton clip, seeds 1, 3 and 5:
    /// by up to 0.017). Without it a face just clear of the line can cross it then, and every writing finds new ones
    /// (a weak blur of the whole clip: 117, 7, 3 and 2 faces in four writings).
    /// </summary>
    public const float EncodingMargin = 0.02f;

    public static IReadOnlyList<RecognizedFace> Run(FfmpegTools tools, VideoInfo source, string rendered, int frameCount,
        Func<int, IReadOnlyList<FaceRegion>> hiddenAt, IFaceEmbedder embedder, float tooNear,
        bool quiet, CancellationToken cancel)
    {
        var written = VideoProbe.Probe(tools, rendered);
        if (written.Width != source.Width || written.Height != source.Height)
            throw new VideoException($"the rendered file is {written.Width}x{written.Height}, the source {source.Width}x{source.Height}; nothing was written");
        var progress = new ConsoleProgress("check", frameCount, quiet);
        var found = new List<RecognizedFace>();
        using var sources = FrameSource.Open(tools, source);
        using var outputs = FrameSource.Open(tools, written);
        var index = 0;
        while (sources.Next() is { } original)
        {
            cancel.ThrowIfCancellationRequested();
            var output = outputs.Next() ?? throw new VideoException($"the rendered file ends after {index} frames, the source has more; nothing was written");
            try
            {
                if (index < frameCount) found.AddRange(Judge(index, original, output, hiddenAt(index), embedder, tooNear));
            }
            finally
            {
                sources.Release(original);
                outputs.Release(output);
            }
            progress.Report(++index);
        }
        progress.Finish(index);
        return found;
    }

    private static List<RecognizedFace> Judge(int frame, Mat original, Mat output, IReadOnlyList<FaceRegion> hidden,
        IFaceEmbedder embedder, float tooNear)
    {
        var found = new List<RecognizedFace>();
        var faces = hidden.Where(ConfidentFace.Is).Where(r => (r.DetectedLandmarks ?? r.Landmarks).Length == 5).ToList();
        if (faces.Count == 0) return found;
        var chips = new List<Mat>(faces.Count * 2);
        try
        {
            foreach (var face in faces)
            {
                var points = face.DetectedLandmarks ?? face.Landmarks;
                var sourceChip = new Mat();
                FaceAligner.Align(original, points, sourceChip);
                chips.Add(sourceChip);
                var writtenChip = new Mat();
                FaceAligner.Align(output, points, writtenChip);
                chips.Add(writtenChip);
            }
            var embeddings = embedder.Embed(chips);
            var near = Enumerable.Range(0, faces.Count)
                .Select(i => (Index: i, Distance: embedder.Distance(embeddings[2 * i], embeddings[2 * i + 1])))
                .Where(face => face.Distance <= tooNear)
                .ToList();
            if (near.Count == 0) return found;
            // Only the near faces need the blob's distance, which costs one more recognizer run each.
            var blurred = near.Select(face =>
            {
                var chip = new Mat();
                Cv2.GaussianBlur(chips[2 * face.Index], chip, new Size(0, 0), IdentityLeakJudge.ReferenceBlurSigma);
                return chip;
            }).ToList();
            try
            {
                var blurredEmbeddings = embedder.Embed(blurred);
                for (var k = 0; k < near.Count; k++)
                {
                    var (i, distance) = near[k];
                    var floor = embedder.Distance(embeddings[2 * i], blurredEmbeddings[k]);
                    found.Add(new RecognizedFace(frame, faces[i].TrackId, distance, floor));
                }
            }
            finally
            {
                foreach (var chip in blurred) chip.Dispose();
            }
            return found;
        }
        finally
        {
            foreach (var chip in chips) chip.Dispose();
        }
    }
}
