using OpenCvSharp;

namespace Deid.Effect.Landmarks;

/// <summary>Places the 68 facial landmarks (iBUG 300-W order, see <see cref="Face68"/>) on a detected face.</summary>
public interface IFaceLandmarker
{
    /// <summary>The 68 points, in frame pixels, of the face in <paramref name="faceBox"/> of a BGR 8-bit frame.</summary>
    Point2f[] Locate(Mat bgrFrame, Rect2f faceBox);

    /// <summary>One batch of faces of the same frame; the same points as <see cref="Locate"/> for each.</summary>
    Point2f[][] Locate(Mat bgrFrame, IReadOnlyList<Rect2f> faceBoxes);
}
