using System.Security.Cryptography;
using System.Text;

namespace Berth.Deploy;

/// <summary>
/// The name of a release's virtualenv under <c>shared/venvs/</c>: what pip would install from, and with which
/// interpreter. Two releases with the same requirements share one venv, so a code-only deploy builds nothing;
/// a Python upgrade on the host or new <c>pip:</c> arguments make a new one.
/// </summary>
public static class VenvHash
{
    /// <param name="requirements">The requirements file's bytes; null when the release has none.</param>
    /// <param name="pythonVersion">What <c>python --version</c> printed on the host.</param>
    public static string Compute(byte[]? requirements, string pythonVersion, IReadOnlyList<string> pipArguments, bool systemSitePackages)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(requirements ?? []);
        string rest = $"\0{pythonVersion.Trim()}\0{string.Join(' ', pipArguments)}\0{(systemSitePackages ? "system-site-packages" : "isolated")}";
        sha.AppendData(Encoding.UTF8.GetBytes(rest));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
