using Deid.Effect.Anonymization;
using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Recognition;
using Deid.Effect.Tracking;
using Deid.PluginHost.Video;
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
    /// <summary>At most this many writings of the clip, each after a check of the one before found faces to hide more.</summary>
    public const int MaxPasses = 6;

    /// <summary>
    /// How much wider than the method's mask a face found too near is blurred or filled: on a face still near its
    /// person after a blur, the recognizer leans on the hairline and the outline of the head around it.
    /// </summary>
    public const float EscalationScale = 1.25f;

    private readonly ClipToRender _clip;
    private readonly IFaceEmbedder _embedder;
    private readonly float _tooNear;
    private readonly ReplaceAnonymizer? _replace;
    private readonly Func<FaceCompositor>? _createNewFaces;
    private readonly MaskOptions _methodMask;
    private readonly EscalatedFaces _escalated = new();
    private readonly HashSet<(int Frame, int TrackId)> _blurredForTheEncoder = [];
    private readonly RenderedPatches _patches;
    private readonly FaceCompositor _blurMethod;
    private readonly FaceCompositor _fillMethod;
    private readonly I420FaceCompositor _blur;
    private readonly I420FaceCompositor _fill;
    private readonly Mat _untouched = new();
    private readonly Mat _newFaceWork = new();
    private FaceCompositor? _newFacesMethod;
    private I420FaceCompositor? _newFaces;

    /// <param name="method">The compositor of the first writing; its mask, widened, is where faces are hidden more.</param>
    /// <param name="createNewFaces">
    /// For replace: a compositor that judges each face alone (not against the frame before), made only when a face
    /// its in-order check blurred is found too near and gets its new face after all.
    /// </param>
    /// <param name="patchesPath">Where the first writing's changes are kept (deleted when this is disposed).</param>
    public ReadBack(ClipToRender clip, FaceCompositor method, IFaceEmbedder embedder, Func<FaceCompositor>? createNewFaces, string patchesPath)
    {
        _clip = clip;
        _embedder = embedder;
        _tooNear = embedder.MatchThreshold + OutputFaceCheck.EncodingMargin;
        _replace = method.Anonymizer as ReplaceAnonymizer;
        _createNewFaces = createNewFaces;
        _patches = new RenderedPatches(patchesPath);
        _methodMask = method.Mask;
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

    /// <summary>
    /// Frame <paramref name="index"/> of writing <paramref name="pass"/>: the method's faces (made by
    /// <paramref name="applyMethod"/> and kept on the first writing, restored on later ones), then the faces hidden more.
    /// </summary>
    public void Render(int index, Mat frame, IReadOnlyList<FaceRegion> hidden, int pass, Action applyMethod)
    {
        var newFaces = _createNewFaces is null ? [] : _escalated.Select(index, hidden, Escalation.NewFace);
        if (newFaces.Count > 0) frame.CopyTo(_untouched);
        if (pass > 1)
        {
            _patches.Restore(index, frame);
        }
        else
        {
            _patches.Record(frame, applyMethod);
            // Only a frame with faces was given to the method: another frame's outcomes are still the last frame's.
            if (_replace is not null && hidden.Count > 0)
            {
                foreach (var (trackId, outcome) in _replace.LastOutcomes)
                    if (outcome == ReplacementOutcome.BlurredForTheEncoder) _blurredForTheEncoder.Add((index, trackId));
            }
        }
        if (newFaces.Count > 0)
        {
            // Made from the source frame, as the method made every other face; only what it changed is copied over.
            // What the method left there goes first where no other hidden face reaches: its blur (the in-order check
            // blurred the face, over the hair and forehead too) would stay around the new face as a halo.
            _untouched.CopyTo(_newFaceWork);
            _clip.Hide(NewFaces(), _newFaceWork, newFaces);
            foreach (var face in newFaces)
            {
                var area = MethodArea(face);
                if (hidden.Any(other => !ReferenceEquals(other, face) && MethodArea(other).IntersectsWith(area))) continue;
                RawFrameFormats.CopyArea(_untouched, frame, _clip.Format, _clip.Source.Width, _clip.Source.Height, area);
            }
            RenderedPatches.CopyChanges(_untouched, _newFaceWork, frame);
        }
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
        var stronger = found.Where(face => _escalated.Escalate(face, _tooNear, _blurredForTheEncoder.Contains((face.Frame, face.TrackId)))).ToList();
        // Filled faces in the margin are clear of the match distance: only those within it are still near.
        Result = new OutputCheckResult(pass, _escalated.Count, found.Except(stronger).Where(face => face.Distance <= _embedder.MatchThreshold).ToList());
        return stronger;
    }

    /// <summary>Every pixel the method's mask (feather included) may have changed for a face.</summary>
    private Rect MethodArea(FaceRegion face) => _methodMask.AreaOf(face, _clip.Source.Width, _clip.Source.Height);

    private I420FaceCompositor NewFaces()
    {
        if (_newFaces is null)
        {
            _newFacesMethod = _createNewFaces!();
            _newFaces = new I420FaceCompositor(_newFacesMethod, _clip.Matrix);
        }
        return _newFaces;
    }

    public void Dispose()
    {
        _patches.Dispose();
        _blur.Dispose();
        _fill.Dispose();
        _blurMethod.Dispose();
        _fillMethod.Dispose();
        _newFaces?.Dispose();
        _newFacesMethod?.Dispose();
        _untouched.Dispose();
        _newFaceWork.Dispose();
    }
}
