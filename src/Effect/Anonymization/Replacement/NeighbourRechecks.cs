using OpenCvSharp;

namespace Deid.Effect.Anonymization.Replacement;

/// <summary>
/// Which replaced faces of a frame are judged again once all are done. A face is checked when it is replaced, but
/// what happens to the frame after that can change it: a face handled later whose area overlaps it, and a face
/// blurred here after all, wherever that one stood in the order (Hamilton clip, frames alone, seed 1: a neighbour
/// blurred on its second look smeared the new face beside it, already checked at 0.649, to 0.551 of its person).
/// So every blur here sends the replaced faces its changes overlap to be judged again, until no face is blurred any
/// more: each face is blurred at most once, so it ends.
/// </summary>
internal static class NeighbourRechecks
{
    /// <param name="areas">Each face's area, in the order the faces were handled.</param>
    /// <param name="replaced">Whether each face carries a new face; cleared here when one is blurred.</param>
    /// <param name="changedLater">Whether something outside <paramref name="areas"/> changed face i's area after its check.</param>
    /// <param name="stillClear">Judges face i as the frame shows it now.</param>
    /// <param name="blur">Blurs face i instead; returns every area the blur changed.</param>
    public static void Settle(IReadOnlyList<Rect> areas, bool[] replaced, Func<int, bool> changedLater, Func<int, bool> stillClear,
        Func<int, IReadOnlyList<Rect>> blur)
    {
        var pending = new Queue<int>();
        var queued = new bool[areas.Count];
        void Judge(int face)
        {
            if (!replaced[face] || queued[face]) return;
            queued[face] = true;
            pending.Enqueue(face);
        }

        for (var i = 0; i < areas.Count; i++)
        {
            var overlappedLater = false;
            for (var j = i + 1; j < areas.Count && !overlappedLater; j++) overlappedLater = areas[i].IntersectsWith(areas[j]);
            if (overlappedLater || changedLater(i)) Judge(i);
        }
        while (pending.TryDequeue(out var face))
        {
            queued[face] = false;
            if (!replaced[face] || stillClear(face)) continue;
            replaced[face] = false;
            foreach (var changed in blur(face))
                for (var k = 0; k < areas.Count; k++)
                    if (k != face && areas[k].IntersectsWith(changed)) Judge(k);
        }
    }
}
