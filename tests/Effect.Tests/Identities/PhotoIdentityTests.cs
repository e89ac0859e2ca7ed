using Deid.Effect.Identities;
using Deid.Effect.Recognition;
using Deid.Effect.Tests.Anonymization;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Deid.Effect.Tests.Identities;

/// <summary>
/// The faces of the shared photos grouped into people, each photo standing in for a moment of a clip: several photos
/// of one person must become one identity, different people different identities, and two faces of one photo (on
/// screen at the same time) are never merged. Truth comes from the file names.
/// </summary>
public sealed class PhotoIdentityTests(ITestOutputHelper output, RecognitionFixture models) : IClassFixture<RecognitionFixture>
{
    private static string? PersonOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file).ToLowerInvariant();
        if (name.Contains("obama") && name.Contains("biden")) return null;
        if (name.Contains("with_rose") || name.StartsWith("two_people")) return null;
        if (name.Contains("obama")) return "obama";
        if (name.Contains("biden")) return "biden";
        if (name.Contains("alex")) return "alex-lacamoire";
        if (name.Contains("lin-manuel")) return "lin-manuel-miranda";
        if (name.Contains("kit_harington") || name.Contains("johnsnow")) return "kit-harington";
        if (name.Contains("rose_leslie")) return "rose-leslie";
        return null;
    }

    [Fact]
    public void Photos_of_one_person_become_one_identity_and_different_people_different_ones()
    {
        var photos = Directory.GetFiles(SharedAssets.Media("photos")).Order().ToList();
        var tracks = new List<IdentityGrouper.TrackSummary>();
        var truth = new Dictionary<int, string?>();
        var photoOf = new Dictionary<int, int>();
        for (var p = 0; p < photos.Count; p++)
        {
            using var image = Cv2.ImRead(photos[p], ImreadModes.Color);
            var faces = models.Detector.Detect(image).Where(d => d.Score >= new IdentityOptions().MinScore).ToList();
            foreach (var face in faces)
            {
                using var chip = new Mat();
                FaceAligner.Align(image, face.Landmarks, chip);
                var id = tracks.Count;
                tracks.Add(new IdentityGrouper.TrackSummary(id, p, p, models.Embedder.Embed([chip]), [], face.Score));
                // A labelled single-person photo: its largest face is that person.
                truth[id] = faces.Count == 1 ? PersonOf(photos[p]) : null;
                photoOf[id] = p;
            }
        }

        var identities = new IdentityGrouper(new IdentityOptions()).Group(tracks);
        var identityOf = identities.SelectMany(i => i.TrackIds.Select(t => (t, i.Id))).ToDictionary(x => x.t, x => x.Id);

        int truePairs = 0, falsePairs = 0, missedPairs = 0;
        var labelled = truth.Where(t => t.Value is not null).Select(t => t.Key).ToList();
        foreach (var a in labelled)
        {
            foreach (var b in labelled.Where(b => b > a))
            {
                var same = truth[a] == truth[b];
                var grouped = identityOf[a] == identityOf[b];
                if (same && grouped) truePairs++;
                else if (!same && grouped) falsePairs++;
                else if (same) missedPairs++;
            }
        }
        var precision = truePairs / (double)Math.Max(1, truePairs + falsePairs);
        var recall = truePairs / (double)Math.Max(1, truePairs + missedPairs);
        output.WriteLine($"{tracks.Count} faces, {labelled.Count} labelled, {identities.Count} identities; pairwise precision {precision:0.000}, recall {recall:0.000}");
        foreach (var identity in identities)
            output.WriteLine($"  identity {identity.Id}: {string.Join(", ", identity.TrackIds.Select(t => Path.GetFileName(photos[photoOf[t]])))}");

        Assert.Equal(1.0, precision);
        Assert.True(recall >= 0.9, $"recall {recall:0.000}");
        foreach (var group in photoOf.GroupBy(p => p.Value).Where(g => g.Count() > 1))
        {
            var ids = group.Select(p => identityOf[p.Key]).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
        }
        Assert.Equal(Enumerable.Range(1, identities.Count), identities.Select(i => i.Id));
        Assert.True(identities.Zip(identities.Skip(1)).All(pair => pair.First.FirstFrame <= pair.Second.FirstFrame), "identities are numbered in order of first appearance");
    }
}
