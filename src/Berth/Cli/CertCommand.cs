using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Berth.Config;
using Berth.Control;
using Berth.Tls;

namespace Berth.Cli;

/// <summary><c>berth cert status</c> (from berth.yml and storage, no server needed; a running server adds when it will
/// renew and its last error) and <c>berth cert renew [NAME]</c> (asks the running server, whose edge answers the
/// challenges).</summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var cert = new Command("cert", "HTTPS certificates: what each site serves, and renewing ACME ones now.");

        var config = new Option<string?>("--config", "-c") { Description = "berth.yml whose sites to show [default: ./berth.yml]." };
        Option<string> control = ControlOption.Create();
        var status = new Command("status", """
            For each site with tls:, its names, where the certificate comes from, its issuer, when it expires,
            when berth will renew it, and the last failed order. Reads berth.yml and the storage directory,
            and asks the running berth serve (if one answers on --control) when it will renew and why its
            last order failed, which it knows even when storage cannot be written.
            """);
        status.Options.Add(config);
        status.Options.Add(control);
        status.SetAction((parse, cancellationToken) => StatusAsync(parse, parse.GetValue(config) ?? "berth.yml", parse.GetValue(control)!, cancellationToken));
        cert.Subcommands.Add(status);

        var name = new Argument<string?>("NAME") { Description = "The site, or one of its host names [default: every tls: acme site].", Arity = ArgumentArity.ZeroOrOne };
        var renew = new Command("renew", """
            Order new certificates now from the ACME server, through the running berth serve (whose edge
            answers the challenges). The old certificate serves until the new one is in hand; exits 1 with
            the server's reason when an order fails.
            """);
        renew.Arguments.Add(name);
        renew.Options.Add(control);
        renew.SetAction((parse, cancellationToken) => ControlCall.RunAsync(parse, control,
            async client => await ControlCall.ReportAsync(parse, await client.RenewAsync(parse.GetValue(name), cancellationToken)),
            cancellationToken));
        cert.Subcommands.Add(renew);
        return cert;
    }

    private static async Task<int> StatusAsync(ParseResult parse, string path, string controlPath, CancellationToken cancellationToken)
    {
        ConfigResult result = ConfigLoader.Load(path);
        if (!BerthCommand.ReportErrors(result))
        {
            return BerthCommand.ExitConfigError;
        }

        BerthConfig config = result.Config!;
        Dictionary<string, CertificateStatus> running = (await AskServerAsync(controlPath, cancellationToken)).ToDictionary(c => c.Site, StringComparer.Ordinal);
        var storage = new StorageDirectory(config.Server.Storage);
        TextWriter output = parse.InvocationConfiguration.Output;
        int shown = 0;
        foreach (SiteConfig site in config.Sites.Where(s => s.Tls is not null))
        {
            TlsConfig tls = site.Tls!;
            string names = site.Hosts.Count > 0 ? string.Join(", ", site.Hosts) : "(any name)";
            output.WriteLine($"site {site.Name}: {names}");
            shown++;
            string? file = tls.Mode switch
            {
                TlsMode.Files => tls.CertFile,
                TlsMode.Acme => storage.PathOf("certificates", site.Hosts[0], "fullchain.pem"),
                _ => null,
            };
            if (tls.Mode == TlsMode.Internal)
            {
                output.WriteLine($"  source: berth's local CA ({storage.PathOf("ca", "root.crt")}); a fresh certificate at every start and reload, and when a third of its week is left");
                continue;
            }

            CertificateStatus? live = running.GetValueOrDefault(site.Name);

            output.WriteLine($"  source: {(tls.Mode == TlsMode.Acme ? $"ACME {config.Server.AcmeDirectory}" : "files")} ({file})");
            if (file is null || !File.Exists(file))
            {
                output.WriteLine("  certificate: none yet" + (tls.Mode == TlsMode.Acme ? "; berth serve orders one at start" : ""));
            }
            else
            {
                using X509Certificate2 leaf = X509Certificate2.CreateFromPem(File.ReadAllText(file));
                output.WriteLine($"  issuer: {leaf.Issuer}");
                output.WriteLine($"  expires: {leaf.NotAfter.ToUniversalTime():u}");
                if (tls.Mode == TlsMode.Acme && live?.NextRenewal is null)
                {
                    output.WriteLine($"  next renewal: {OneThirdRule.RenewalTime(leaf):u}");
                }
            }

            if (live?.NextRenewal is { } next)
            {
                output.WriteLine($"  next renewal: {next:u} ({live.NextRenewalReason})");
            }

            // The server's memory first: when storage is what fails, the file could not be written.
            string? lastError = live is null ? ReadLastError(storage, site) : live.LastError;
            if (tls.Mode == TlsMode.Acme && lastError is not null)
            {
                output.WriteLine($"  last error: {lastError.Trim()}");
            }
        }

        if (shown == 0)
        {
            output.WriteLine($"{path}: no site has tls:");
        }

        return 0;
    }

    /// <summary>The running server's view of its ACME sites, or nothing when no server answers on <paramref name="controlPath"/>.</summary>
    private static async Task<IReadOnlyList<CertificateStatus>> AskServerAsync(string controlPath, CancellationToken cancellationToken)
    {
        try
        {
            await using ControlClient client = await ControlClient.ConnectAsync(controlPath, cancellationToken);
            return (await client.CertificatesAsync(cancellationToken)).Certificates ?? [];
        }
        catch (ControlConnectionException)
        {
            return []; // no berth serve running: storage tells what there is
        }
    }

    private static string? ReadLastError(StorageDirectory storage, SiteConfig site)
    {
        string file = AcmeCertificates.LastErrorFile(storage, site);
        try
        {
            return File.Exists(file) ? File.ReadAllText(file) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(cannot read {file}: {e.Message})";
        }
    }
}
