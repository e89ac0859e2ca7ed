using System.Xml.Linq;
using Deid.Effect.Landmarks;
using OpenCvSharp;

namespace Deid.Effect.Tests.Landmarks;

/// <summary>The labelled photos' hand-checked 68 points, and how to match them to a detector's boxes.</summary>
public static class LabelledFaces
{
    public static IEnumerable<(string Path, List<Point2f[]> Faces)> Load()
    {
        var xml = SharedAssets.Media("labelled", "training_with_face_landmarks.xml");
        foreach (var image in XDocument.Load(xml).Descendants("image"))
        {
            var faces = image.Elements("box").Where(b => b.Elements("part").Count() == Face68.Count)
                .Select(b => b.Elements("part").OrderBy(p => int.Parse((string)p.Attribute("name")!))
                    .Select(p => new Point2f(float.Parse((string)p.Attribute("x")!), float.Parse((string)p.Attribute("y")!))).ToArray())
                .ToList();
            yield return (SharedAssets.Media("labelled", (string)image.Attribute("file")!), faces);
        }
    }

    public static Rect2f Bounds(Point2f[] points)
    {
        float x1 = points.Min(p => p.X), y1 = points.Min(p => p.Y), x2 = points.Max(p => p.X), y2 = points.Max(p => p.Y);
        return new Rect2f(x1, y1, x2 - x1, y2 - y1);
    }

    public static double Overlap(Rect2f a, Rect2f b)
    {
        var x1 = Math.Max(a.X, b.X); var y1 = Math.Max(a.Y, b.Y);
        var x2 = Math.Min(a.X + a.Width, b.X + b.Width); var y2 = Math.Min(a.Y + a.Height, b.Y + b.Height);
        if (x2 <= x1 || y2 <= y1) return 0;
        var inter = (x2 - x1) * (y2 - y1);
        return inter / (a.Width * a.Height + b.Width * b.Height - inter);
    }
}
