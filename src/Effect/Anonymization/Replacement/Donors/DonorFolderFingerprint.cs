using System.IO.Hashing;
using System.Text;

namespace Deid.Effect.Anonymization.Replacement.Donors;

/// <summary>
/// A hash of a donor folder's portraits (names and bytes), so results rendered from one set of donors are never
/// served for another: frame caches key on it.
/// </summary>
public static class DonorFolderFingerprint
{
    public static string Of(string folder)
    {
        if (!Directory.Exists(folder)) throw new DonorBankException($"donor folder {folder} does not exist");
        var hash = new XxHash128();
        try
        {
            foreach (var file in DonorBank.ImageFiles(folder))
            {
                hash.Append(Encoding.UTF8.GetBytes(Path.GetFileName(file)));
                hash.Append([0]);
                using var stream = File.OpenRead(file);
                hash.Append(stream);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DonorBankException($"donor folder {folder} cannot be read: {e.Message}", e);
        }
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }
}
