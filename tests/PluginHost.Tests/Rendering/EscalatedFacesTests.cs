using Deid.Effect.Tracking;
using Deid.PluginHost.Rendering;
using OpenCvSharp;

namespace Deid.PluginHost.Tests.Rendering;

/// <summary>How a face found too near its person in a rendered file is hidden the next time: one step at a time, never back.</summary>
public sealed class EscalatedFacesTests
{
    private const float TooNear = 0.62f;

    [Fact]
    public void A_face_is_blurred_where_a_blur_of_the_person_would_be_clear()
    {
        var faces = new EscalatedFaces();
        Assert.True(faces.Escalate(new RecognizedFace(7, 2, 0.58f, 0.81f), TooNear));
        Assert.Equal(Escalation.Blur, faces.At(7, 2));
        Assert.Null(faces.At(7, 3));
        Assert.Null(faces.At(8, 2));
    }

    [Fact]
    public void A_face_is_filled_where_even_a_blur_stays_near()
    {
        var faces = new EscalatedFaces();
        Assert.True(faces.Escalate(new RecognizedFace(7, 2, 0.58f, 0.52f), TooNear));
        Assert.Equal(Escalation.Solid, faces.At(7, 2));
    }

    [Fact]
    public void A_blurred_face_is_filled_and_a_filled_face_goes_no_further()
    {
        var faces = new EscalatedFaces();
        Assert.True(faces.Escalate(new RecognizedFace(3, 1, 0.40f, 0.70f), TooNear));
        Assert.Equal(Escalation.Blur, faces.At(3, 1));
        Assert.True(faces.Escalate(new RecognizedFace(3, 1, 0.62f, 0.70f), TooNear));
        Assert.Equal(Escalation.Solid, faces.At(3, 1));
        Assert.False(faces.Escalate(new RecognizedFace(3, 1, 0.59f, 0.70f), TooNear));
        Assert.Equal(Escalation.Solid, faces.At(3, 1));
        Assert.Equal(1, faces.Count);
    }

    [Fact]
    public void Each_step_selects_only_its_own_faces_of_the_frame()
    {
        var faces = new EscalatedFaces();
        faces.Escalate(new RecognizedFace(5, 1, 0.5f, 0.9f), TooNear);
        faces.Escalate(new RecognizedFace(5, 2, 0.5f, 0.5f), TooNear);
        faces.Escalate(new RecognizedFace(6, 3, 0.5f, 0.9f), TooNear);
        var hidden = new[] { Region(1), Region(2), Region(3) };
        Assert.Equal([1], faces.Select(5, hidden, Escalation.Blur).Select(r => r.TrackId));
        Assert.Equal([2], faces.Select(5, hidden, Escalation.Solid).Select(r => r.TrackId));
        Assert.Empty(faces.Select(4, hidden, Escalation.Blur));
        Assert.Equal([3], faces.Select(6, hidden, Escalation.Blur).Select(r => r.TrackId));
    }

    private static FaceRegion Region(int track) =>
        new(track, new Rect2f(10 * track, 10, 40, 40), Enumerable.Range(0, 5).Select(i => new Point2f(10 * track + i, 20)).ToArray(), 0.9f, true);
}
