using Deid.Effect.Evaluation;
using Deid.Effect.Landmarks;
using Deid.Effect.Tracking;
using OpenCvSharp;
using static Deid.Effect.Anonymization.Replacement.FacePlacement;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// Moves a donor face, once rendered, until the landmarker reads it where it reads the original: in the canonical
/// frame, and for small faces again in the frame itself. Works on the replacer's rendered face and mask in place.
/// </summary>
internal sealed class NewFaceCorrection(Landmark68Detector landmarker, Mat face, Mat mask) : IDisposable
{
    private readonly Mat _face = face;
    private readonly Mat _mask = mask;
    private readonly LandmarkWarp _warp = new();
    private readonly Mat _uncorrected = new();
    private readonly Mat _underFace = new();
    private readonly Mat _wholeFaceCorrected = new();

    private Landmark68Detector Landmarker => landmarker;

    /// <summary>
    /// Donors' features land where the original's were only as far as the warp can put them: the landmarker may read
    /// another nose or eye shape a little elsewhere, and so another pose. A correction warp moves the new face so
    /// that its landmarks, as read, fall where the original's are read; the landmarker then reads the corrected face a
    /// little differently again, so a second pass takes most of the rest. A pass is kept only when it brings the
    /// readings nearer: on some faces a correction makes the landmarker read the face somewhere else entirely.
    /// </summary>
    /// <param name="largeFace">One pass only: see <see cref="AlignmentPasses"/>.</param>
    internal void InCanonical(Mat canonical, Rect2f box, bool largeFace)
    {
        var passes = largeFace ? 1 : AlignmentPasses;
        var original = Landmarker.Locate(canonical, box);
        var read = ReadNewFace(canonical, box);
        var error = Face68.MeanDistance(read, original);
        using var kept = new Mat();
        for (var pass = 0; pass < passes; pass++)
        {
            _face.CopyTo(kept);
            _warp.Warp(kept, WhereTheFaceStands(original, read, original, Unmapped), original, _face);
            var corrected = ReadNewFace(canonical, box);
            var correctedError = Face68.MeanDistance(corrected, original);
            if (!(correctedError < error))
            {
                kept.CopyTo(_face);
                return;
            }
            (read, error) = (corrected, correctedError);
        }
    }

    /// <summary>
    /// Pastes the new face of a small face and corrects it where the frame shows it. The correction in the canonical
    /// frame reads the new face at 160 pixels; pasted back onto a 60-90 pixel face the landmarker reads it again a
    /// little elsewhere (Hamilton clip: the pose read off the frame turned by more than 5 degrees on one replaced face
    /// in five). Each pass moves the new face by what the frame's reading is off from the original's, mapped into the
    /// canonical frame and capped as there, pastes it again from the pixels as they were, and is kept only when the
    /// frame's reading comes nearer. Large faces read the same at both sizes and are pasted once.
    /// </summary>
    /// <param name="original">The 68 landmarks of the face before anything of the frame was changed, in frame pixels.</param>
    /// <returns>
    /// The area pasted over and which passes were kept, when any was (the face can then go back to how it was
    /// rendered, or to before the eyelid passes); null when the face stayed as rendered.
    /// </returns>
    internal FrameCorrection? InFrame(Mat frame, FaceRegion region, double[,] toCanonical, Point2f[] original)
    {
        var area = SquareBounds(frame, CanonicalFace.Invert(toCanonical), _face.Width);
        using (var under = new Mat(frame, area)) under.CopyTo(_underFace);
        _face.CopyTo(_uncorrected);
        Paste(frame, toCanonical, _face, _mask);
        var read = Landmarker.Locate(frame, region.Box);
        var error = Face68.MeanDistance(read, original);
        var target = CanonicalFace.Map(toCanonical, original);
        using var kept = new Mat();
        bool wholeFace = false, eyelids = false;
        for (var pass = 0; pass < FramePasses; pass++)
        {
            var corrected = Pass(WhereTheFaceStands(target, read, original, toCanonical));
            var correctedError = Face68.MeanDistance(corrected, original);
            if (!(correctedError < error))
            {
                Undo();
                break;
            }
            (read, error, wholeFace) = (corrected, correctedError, true);
        }

        // The eyelids on their own: a donor's open eye warped onto a squint still reads 20-40 % more open on small
        // faces (Hamilton clip, the laughing woman in the back row), and the passes above, judged by all 68 points,
        // stop while the jaw line dominates their mean. These move only the lids, to which the head pose is not
        // fitted, and are kept only when the eyes come nearer without pose or mouth moving away. (The inner lips
        // moved the same way kept the mouth on a few more faces, but brought two faces within 0.6 once encoded.)
        var measures = FaceMeasures.From(original, frame.Size());
        var shares = measures.SharesOfTolerance(FaceMeasures.From(read, frame.Size()));
        if (shares.Eyes > WellInside) _face.CopyTo(_wholeFaceCorrected);
        for (var pass = 0; pass < EyelidPasses && shares.Eyes > WellInside; pass++)
        {
            var corrected = Pass(WhereTheFaceStands(target, read, original, toCanonical, Face68.Eyelids));
            var correctedShares = measures.SharesOfTolerance(FaceMeasures.From(corrected, frame.Size()));
            if (!(correctedShares.Eyes < shares.Eyes) || correctedShares.Pose > Math.Max(shares.Pose, WellInside)
                || correctedShares.Mouth > Math.Max(shares.Mouth, WellInside))
            {
                Undo();
                break;
            }
            (read, shares, eyelids) = (corrected, correctedShares, true);
        }
        return wholeFace || eyelids ? new FrameCorrection(area, toCanonical, wholeFace, eyelids) : null;

        // Moves the new face from where it stands onto the target, pastes it again and reads it in the frame.
        Point2f[] Pass(Point2f[] from)
        {
            _face.CopyTo(kept);
            _warp.Warp(kept, from, target, _face);
            PasteAgain(frame, area, _underFace, toCanonical);
            return Landmarker.Locate(frame, region.Box);
        }

        void Undo()
        {
            kept.CopyTo(_face);
            PasteAgain(frame, area, _underFace, toCanonical);
        }
    }

    /// <summary>The face as the whole-face passes of <see cref="InFrame"/> left it, without the eyelid passes, pasted again.</summary>
    internal void BackToWholeFace(Mat frame, FrameCorrection correction)
    {
        _wholeFaceCorrected.CopyTo(_face);
        PasteAgain(frame, correction.Area, _underFace, correction.ToCanonical);
    }

    /// <summary>The face as rendered, before any pass of <see cref="InFrame"/>, pasted again.</summary>
    internal void BackToRendered(Mat frame, FrameCorrection correction)
    {
        _uncorrected.CopyTo(_face);
        PasteAgain(frame, correction.Area, _underFace, correction.ToCanonical);
    }

    /// <summary>A share of the tolerances of <see cref="FaceMeasures"/> that leaves room for the landmarker's noise.</summary>
    private const double WellInside = 2.0 / 3;

    /// <summary>At most this many eyelid corrections after the whole-face passes of <see cref="InFrame"/>.</summary>
    private const int EyelidPasses = 3;

    /// <summary>
    /// Where each landmark of the new face stands in the canonical frame, for a correction warp that moves it onto
    /// <paramref name="target"/>: the target moved by what the reading is off from the original's, carried into the
    /// canonical frame by the linear part of <paramref name="readToCanonical"/> (the reading may be in frame pixels).
    /// Capped: on a blurred or turned face the landmarker's readings wander, and a large correction would distort.
    /// </summary>
    /// <param name="only">The landmarks to move; the others stand at their target. Null: all.</param>
    private static Point2f[] WhereTheFaceStands(Point2f[] target, Point2f[] read, Point2f[] original, double[,] readToCanonical, int[]? only = null)
    {
        double a = readToCanonical[0, 0], b = readToCanonical[0, 1], c = readToCanonical[1, 0], d = readToCanonical[1, 1];
        var limit = AlignmentLimit * CanonicalFace.Size;
        var from = (Point2f[])target.Clone();
        foreach (var i in only ?? Enumerable.Range(0, from.Length))
        {
            double ex = read[i].X - original[i].X, ey = read[i].Y - original[i].Y;
            var dx = Math.Clamp((float)(a * ex + b * ey), -limit, limit);
            var dy = Math.Clamp((float)(c * ex + d * ey), -limit, limit);
            from[i] = new Point2f(target[i].X + dx, target[i].Y + dy);
        }
        return from;
    }

    /// <summary>Readings already in the canonical frame.</summary>
    private static readonly double[,] Unmapped = { { 1, 0, 0 }, { 0, 1, 0 } };

    private void PasteAgain(Mat frame, Rect area, Mat before, double[,] toCanonical)
    {
        using (var restore = new Mat(frame, area)) before.CopyTo(restore);
        Paste(frame, toCanonical, _face, _mask);
    }

    /// <summary>
    /// At most this many corrections of a small face as the frame shows it (Hamilton clip, seed 3: pose kept on 62 %
    /// of confident faces without, 80 % with two passes, 82 % with four; the median error 3.0 -> 1.2 degrees).
    /// </summary>
    private const int FramePasses = 4;

    /// <summary>The 68 landmarks the landmarker reads on the new face (<see cref="_face"/> blended by <see cref="_mask"/> over the canonical original).</summary>
    private unsafe Point2f[] ReadNewFace(Mat canonical, Rect2f box)
    {
        using var composed = canonical.Clone();
        int rows = composed.Rows, cols = composed.Cols;
        for (var y = 0; y < rows; y++)
        {
            var target = (byte*)composed.Ptr(y);
            var face = (byte*)_face.Ptr(y);
            var weight = (float*)_mask.Ptr(y);
            for (var x = 0; x < cols; x++)
            {
                var m = Math.Clamp(weight[x], 0f, 1f);
                for (var c = 0; c < 3; c++) target[3 * x + c] = (byte)(target[3 * x + c] + (face[3 * x + c] - target[3 * x + c]) * m + 0.5f);
            }
        }
        return Landmarker.Locate(composed, box);
    }

    /// <summary>Largest correction <see cref="InCanonical"/> makes per landmark and pass, as a share of the canonical side.</summary>
    private const float AlignmentLimit = 0.025f;

    /// <summary>
    /// At most this many corrections of a small donor face (Hamilton clip, 60-90 px faces: pose kept on 55 % of
    /// replaced faces with one pass, 65 % with two; a third moved the new face back towards the person's own geometry,
    /// and more faces failed the safety check). Large faces get one: on the shared photos a second pass kept the mean
    /// reading nearer but lost a mouth opening, and one pass already keeps every measure there.
    /// </summary>
    internal const int AlignmentPasses = 2;

    public void Dispose()
    {
        _warp.Dispose();
        _uncorrected.Dispose();
        _underFace.Dispose();
        _wholeFaceCorrected.Dispose();
    }
}

/// <summary>What <see cref="NewFaceCorrection.InFrame"/> kept: the area pasted over (and the face's alignment), and which kinds of pass moved the face.</summary>
internal readonly record struct FrameCorrection(Rect Area, double[,] ToCanonical, bool WholeFace, bool Eyelids);
