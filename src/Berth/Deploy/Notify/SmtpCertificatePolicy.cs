using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Berth.Config;

namespace Berth.Deploy.Notify;

/// <summary>
/// How the mail server's certificate is checked. System.Net.Mail's SmtpClient has no validation callback of
/// its own: on .NET 10 its STARTTLS (SmtpConnection) builds the SslStream with
/// <c>ServicePointManager.ServerCertificateValidationCallback</c>, process-wide and marked obsolete
/// (SYSLIB0014) but still the only hook. So one callback is installed once, and it asks an
/// <see cref="AsyncLocal{T}"/> what the send on this async flow wants: a CA bundle of its own, or (for a test
/// server) any certificate. A send that wants neither leaves the callback unset: the system's roots decide,
/// as SslStream does by default.
/// </summary>
internal static class SmtpCertificatePolicy
{
    private static readonly AsyncLocal<RemoteCertificateValidationCallback?> Current = new();
    private static int _installed;

    /// <summary>Runs <paramref name="send"/> with the certificate check <paramref name="email"/> asks for.</summary>
    public static async Task RunAsync(EmailSettings email, Func<Task> send)
    {
#pragma warning disable CA5359 // accepting any certificate is the explicit verify_certificate: false, meant for a test server
        RemoteCertificateValidationCallback? check =
            !email.VerifyCertificate ? static (_, _, _, _) => true
            : email.CaBundle is { } bundle ? TrustOnly(LoadRoots(bundle))
            : null;
#pragma warning restore CA5359
        if (check is null)
        {
            await send().ConfigureAwait(false);
            return;
        }

        Install();
        Current.Value = check;
        try
        {
            await send().ConfigureAwait(false);
        }
        finally
        {
            Current.Value = null;
        }
    }

    private static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
#pragma warning disable SYSLIB0014 // obsolete, yet what SmtpConnection reads (see the summary)
            ServicePointManager.ServerCertificateValidationCallback = static (sender, certificate, chain, errors) =>
                Current.Value is { } check ? check(sender, certificate, chain, errors) : errors == SslPolicyErrors.None;
#pragma warning restore SYSLIB0014
        }
    }

    /// <summary>A check that accepts a certificate for the right name that chains to one of <paramref name="roots"/>.</summary>
    private static RemoteCertificateValidationCallback TrustOnly(X509Certificate2Collection roots) => (_, certificate, presented, errors) =>
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (X509ChainElement element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };

    private static X509Certificate2Collection LoadRoots(string bundle)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(bundle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new NotifyException($"ca_bundle: {bundle} cannot be read as PEM certificates: {e.Message}", "point ca_bundle: at the PEM file of the CA that signs the mail server's certificate", e);
        }

        return roots.Count > 0
            ? roots
            : throw new NotifyException($"ca_bundle: {bundle} holds no PEM certificate", "point ca_bundle: at a file with -----BEGIN CERTIFICATE----- blocks");
    }
}
