using Deid.Effect.Anonymization.Replacement;
using OpenCvSharp;

namespace Deid.Effect.Tests.Anonymization.Replacement;

/// <summary>
/// The second look at a frame's replaced faces: a face whose area changed after its check is judged again, and a blur
/// there sends its neighbours to be judged again too, whichever came first in the order.
/// </summary>
public sealed class NeighbourRechecksTests
{
    [Fact]
    public void A_face_blurred_on_its_second_look_sends_the_face_it_overlaps_to_be_judged_again()
    {
        // Handled in this order: an early face overlapped by the one after it, which is overlapped by nothing later.
        Rect[] areas = [new(0, 0, 50, 50), new(40, 0, 50, 50)];
        var replaced = new[] { true, true };
        var judged = new List<int>();
        var blurred = new List<int>();
        NeighbourRechecks.Settle(areas, replaced, changedLater: _ => false,
            stillClear: i => { judged.Add(i); return i != 0; },
            blur: i => { blurred.Add(i); return [areas[i]]; });

        // The early face is judged (the later one changed it) and blurred; its blur changed the later face, which
        // nothing handled after it had touched, so that one is judged now too.
        Assert.Equal([0, 1], judged);
        Assert.Equal([0], blurred);
        Assert.Equal([false, true], replaced);
    }

    [Fact]
    public void Blurs_cascade_until_every_new_face_left_is_clear()
    {
        // A chain: each face overlaps the next; the first two fail once their neighbour is blurred.
        Rect[] areas = [new(0, 0, 50, 50), new(40, 0, 50, 50), new(80, 0, 50, 50), new(300, 0, 50, 50)];
        var replaced = new[] { true, true, true, true };
        var blurred = new List<int>();
        NeighbourRechecks.Settle(areas, replaced, changedLater: _ => false,
            stillClear: i => i == 0 ? false : !(i == 1 && blurred.Contains(0)) && !(i == 2 && blurred.Contains(1)),
            blur: i => { blurred.Add(i); return [areas[i]]; });

        Assert.Equal([0, 1, 2], blurred);
        Assert.Equal([false, false, false, true], replaced);
    }

    [Fact]
    public void Faces_nothing_changed_after_their_check_are_not_judged_again()
    {
        Rect[] areas = [new(0, 0, 50, 50), new(100, 0, 50, 50), new(200, 0, 50, 50)];
        var replaced = new[] { true, false, true };
        var judged = new List<int>();
        NeighbourRechecks.Settle(areas, replaced, changedLater: i => i == 2,
            stillClear: i => { judged.Add(i); return true; },
            blur: _ => throw new InvalidOperationException("nothing is to be blurred"));

        // Only the face something outside the list changed (a duplicate box's blur) is judged; a blurred face never is.
        Assert.Equal([2], judged);
    }
}
