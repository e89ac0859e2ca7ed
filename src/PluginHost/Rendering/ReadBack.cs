using Deid.Effect.Anonymization;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.PluginHost.Rendering;

/// <summary>
/// Step 5 of `deid render` (`--check`): the written file is read back (<see cref="OutputFaceCheck"/>), faces it shows
/// too near their person are hidden more (<see cref="EscalatedFaces"/>), and the clip is written again until none is
/// left. Only the first writing runs the method: it keeps each frame's changes (<see cref="RenderedPatches"/>), and
/// later writings restore them onto the source decoded again, then hide more what the check found.
/// </summary>
public sealed class ReadBack : IDisposable
{
    /// <summary>
    /// At most this many writings of the clip by default (<see cref="RenderRequest.MaxWritings"/>), each after a check
    /// of the one before found faces to hide more. A face hidden more moves what the encoder predicts the next frames
    /// from, so one can bring on another a frame later: the Hamilton clip took up to 7 writings (replace, donors, seeds
    /// 0-6; the lead singer's new faces at frames 82-95 lie 0.60-0.67 from him, and came out too near one or two at a
    /// time). Writings after the first cost a decode, an encode and a read-back (there, 6-9 s of about 90), and the
    /// chain ends: every writing takes at least one face a step further, and a fill is the last step. A render that
    /// runs out fails and writes nothing, so the default leaves twice the room the clip needed.
    /// </summary>
    public const int DefaultMaxWritings = 16;

    /// <summary>
    /// How much wider than the method's mask a face found too near is blurred or filled: on a face still near its
    /// person after a blur, the recognizer leans on the hairline and the outline of the head around it.
    /// </summary>
    public const float EscalationScale = 1.25f;

    private readonly ClipToRender _clip;
    private readonly IFaceEmbedder _embedder;
    private readonly float _tooNear;
    private readonly EscalatedFaces _escalated = new();
    private readonly RenderedPatches _patches;
    private readonly FaceCompositor _blurMethod;
    private readonly FaceCompositor _fillMethod;
    private readonly I420FaceCompositor _blur;
    private readonly I420FaceCompositor _fill;

    /// <param name="method">The compositor of the first writing; its mask, widened, is where faces are hidden more.</param>
    /// <param name="patchesPath">Where the first writing's changes are kept (deleted when this is disposed).</param>
    public ReadBack(ClipToRender clip, FaceCompositor method, IFaceEmbedder embedder, string patchesPath)
    {
        _clip = clip;
        _embedder = embedder;
        _tooNear = embedder.MatchThreshold + OutputFaceCheck.EncodingMargin;
        _patches = new RenderedPatches(patchesPath);
        var wider = method.Mask with { Scale = method.Mask.Scale * EscalationScale };
        _blurMethod = new FaceCompositor(new BlurAnonymizer(1f), wider);
        _fillMethod = new FaceCompositor(new SolidAnonymizer(clip.Request.Anonymizer.SolidColor, 1f), wider);
        _blur = new I420FaceCompositor(_blurMethod, clip.Matrix);
        _fill = new I420FaceCompositor(_fillMethod, clip.Matrix);
        Result = new OutputCheckResult(0, 0, []);
    }

    /// <summary>A face read back within this distance of its person is hidden more: the match distance and <see cref="OutputFaceCheck.EncodingMargin"/>.</summary>
    public float TooNear => _tooNear;

    public OutputCheckResult Result { get; private set; }

    /// <summary>How the face of track <paramref name="trackId"/> at frame <paramref name="frame"/> is hidden beyond the method, if it is.</summary>
    public Escalation? HiddenMoreAt(int frame, int trackId) => _escalated.At(frame, trackId);

    /// <summary>
    /// Frame <paramref name="index"/> of writing <paramref name="pass"/>: the method's faces (made by
    /// <paramref name="applyMethod"/> and kept on the first writing, restored on later ones), then the faces hidden more.
    /// </summary>
    public void Render(int index, Mat frame, IReadOnlyList<FaceRegion> hidden, int pass, Action applyMethod)
    {
        if (pass > 1) _patches.Restore(index, frame);
        else _patches.Record(frame, applyMethod);
        // Over what the method made: a new face blurred is farther from the person than the face blurred.
        _clip.Hide(_blur, frame, _escalated.Select(index, hidden, Escalation.Blur));
        _clip.Hide(_fill, frame, _escalated.Select(index, hidden, Escalation.Solid));
    }

    /// <summary>
    /// Reads writing <paramref name="pass"/> back and takes every face it shows too near its person one step further;
    /// returns those faces (none: the file stands). Filled faces cannot be hidden more: those within the match
    /// distance are reported in <see cref="Result"/>.
    /// </summary>
    public IReadOnlyList<RecognizedFace> Check(string written, int pass, CancellationToken cancel)
    {
        var found = OutputFaceCheck.Run(_clip.Tools, _clip.Source, written, _clip.Analysis.FrameCount, _clip.HiddenAt,
            _embedder, _tooNear, _clip.Request.Quiet, cancel);
        var stronger = found.Where(face => _escalated.Escalate(face, _tooNear)).ToList();
        // Filled faces in the margin are clear of the match distance: only those within it are still near.
        Result = new OutputCheckResult(pass, _escalated.Count, found.Except(stronger).Where(face => face.Distance <= _embedder.MatchThreshold).ToList());
        return stronger;
    }

    public void Dispose()
    {
        _patches.Dispose();
        _blur.Dispose();
        _fill.Dispose();
        _blurMethod.Dispose();
        _fillMethod.Dispose();
    }
}
