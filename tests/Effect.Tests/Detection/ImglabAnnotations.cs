using System.Xml.Linq;
using OpenCvSharp;

namespace Deid.Effect.Tests.Detection;

/// <summary>
/// Reads dlib imglab XML (<c>&lt;dataset&gt;&lt;images&gt;&lt;image file=".."&gt;&lt;box top left width height
/// ignore?/&gt;</c>). Boxes marked <c>ignore='1'</c> are kept apart: imglab uses them for faces the labeller chose not
/// to count (too small, occluded), so a detector is neither credited nor blamed for them.
/// </summary>
public static class ImglabAnnotations
{
    /// <summary>One annotated image: its full path, the faces to find, and the boxes marked ignore.</summary>
    public sealed record AnnotatedImage(string Path, IReadOnlyList<Rect> Faces, IReadOnlyList<Rect> Ignored);

    public static IReadOnlyList<AnnotatedImage> Load(string xmlPath)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(xmlPath))!;
        var document = XDocument.Load(xmlPath);
        var images = new List<AnnotatedImage>();
        foreach (var image in document.Descendants("image"))
        {
            var file = (string?)image.Attribute("file")
                ?? throw new FormatException($"{xmlPath}: <image> without a file attribute");
            var faces = new List<Rect>();
            var ignored = new List<Rect>();
            foreach (var box in image.Elements("box"))
            {
                var rect = new Rect(Int(box, "left"), Int(box, "top"), Int(box, "width"), Int(box, "height"));
                (IsIgnored(box) ? ignored : faces).Add(rect);
            }
            images.Add(new AnnotatedImage(System.IO.Path.Combine(directory, file), faces, ignored));
        }
        return images;
    }

    private static bool IsIgnored(XElement box) =>
        (string?)box.Attribute("ignore") is { } value && value.Trim() is not ("" or "0" or "false");

    private static int Int(XElement box, string name) =>
        int.Parse((string?)box.Attribute(name) ?? throw new FormatException($"<box> without {name}"),
            System.Globalization.CultureInfo.InvariantCulture);
}
