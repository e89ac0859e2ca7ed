using Deid.Effect.Anonymization.Replacement;
using Deid.Effect.Anonymization.Replacement.Donors;
using OpenCvSharp;

namespace Deid.Effect.Tests.Anonymization.Replacement.Donors;

/// <summary>
/// Loading a folder of donor portraits: the shared photos as donors (faces found, grouped by person, upright in the
/// canonical frame), and folders that cannot serve, refused with a clear error.
/// </summary>
public sealed class DonorBankTests(ReplacementFixture models) : IClassFixture<ReplacementFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deid-donors-").FullName;

    [Fact]
    public void The_photos_give_upright_donor_faces_grouped_by_person()
    {
        using var bank = DonorBank.Load(SharedAssets.Media("photos"), models.Detector, models.Landmarker, models.Embedder);
        Assert.True(bank.Faces.Count >= 12, $"expected at least 12 donor faces, got {bank.Faces.Count}");
        Assert.True(bank.People >= 6, $"expected at least 6 people, got {bank.People}");
        foreach (var face in bank.Faces)
        {
            Assert.Equal(new Size(CanonicalFace.Size, CanonicalFace.Size), face.Canonical.Size());
            Assert.Equal(68, face.Points.Length);
            Assert.All(face.Points, p => Assert.InRange(p.X, 0, CanonicalFace.Size));
            // Upright: eyes above the nose tip above the chin.
            Assert.True(face.Points[36].Y < face.Points[30].Y && face.Points[30].Y < face.Points[8].Y, $"{face.Source} is not upright");
        }
        // The three portraits of one person are one donor person.
        var obama = bank.Faces.Where(f => f.Source is "obama.jpg" or "obama2.jpg" or "obama3.jpg" or "test_obama1.jpg").Select(f => f.Person).Distinct().ToList();
        Assert.Single(obama);
        Assert.True(bank.Faces.Count(f => f.Person == obama[0]) >= 3);
    }

    [Fact]
    public void A_missing_folder_is_refused_by_name()
    {
        var missing = Path.Combine(_directory, "nowhere");
        var error = Assert.Throws<DonorBankException>(() => DonorBank.Load(missing, models.Detector, models.Landmarker, models.Embedder));
        Assert.Contains(missing, error.Message);
        Assert.Throws<DonorBankException>(() => DonorFolderFingerprint.Of(missing));
    }

    [Fact]
    public void A_folder_without_a_usable_face_is_refused_and_says_why()
    {
        File.WriteAllText(Path.Combine(_directory, "notes.jpg"), "not an image");
        using (var grey = new Mat(240, 320, MatType.CV_8UC3, new Scalar(128, 128, 128))) Cv2.ImWrite(Path.Combine(_directory, "grey.png"), grey);
        var error = Assert.Throws<DonorBankException>(() => DonorBank.Load(_directory, models.Detector, models.Landmarker, models.Embedder));
        Assert.Contains("no usable face", error.Message);
    }

    [Fact]
    public void Unusable_files_are_skipped_beside_usable_ones()
    {
        File.Copy(SharedAssets.Media("photos", "biden.jpg"), Path.Combine(_directory, "biden.jpg"));
        File.WriteAllText(Path.Combine(_directory, "broken.png"), "not an image");
        using var bank = DonorBank.Load(_directory, models.Detector, models.Landmarker, models.Embedder);
        Assert.Single(bank.Faces);
        Assert.Equal("biden.jpg", bank.Faces[0].Source);
        Assert.Contains(bank.Skipped, s => s.StartsWith("broken.png"));
    }

    [Fact]
    public void The_fingerprint_follows_the_content()
    {
        File.Copy(SharedAssets.Media("photos", "biden.jpg"), Path.Combine(_directory, "a.jpg"));
        var first = DonorFolderFingerprint.Of(_directory);
        Assert.Equal(first, DonorFolderFingerprint.Of(_directory));
        File.Copy(SharedAssets.Media("photos", "obama.jpg"), Path.Combine(_directory, "a.jpg"), overwrite: true);
        Assert.NotEqual(first, DonorFolderFingerprint.Of(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
