using Deid.Effect.Tracking;
using OpenCvSharp;

namespace Deid.Effect.Anonymization;

/// <summary>
/// A method that needs the whole region, not only its ellipse: which track (and so which person) it is, and its
/// landmarks. It paints and blends the faces itself. <see cref="FaceCompositor"/> hands it all regions of a frame
/// at once (faces that overlap are the method's to order); its <see cref="IAnonymizer.Render"/> is still used where
/// only an ellipse is known, and must hide the face then too.
/// </summary>
public interface IRegionAnonymizer : IAnonymizer
{
    void Apply(Mat bgrFrame, IReadOnlyList<FaceRegion> regions, MaskOptions mask);
}
