using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Berth.Config;
using Berth.Tls;

namespace Berth.Cli;

/// <summary><c>berth cert status</c> (from berth.yml and storage, no server needed) and <c>berth cert renew [NAME]</c>
/// (asks the running server, whose edge answers the challenges).</summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var cert = new Command("cert", "HTTPS certificates: what each site serves, and renewing ACME ones now.");

        var config = new Option<string?>("--config", "-c") { Description = "berth.yml whose sites to show [default: ./berth.yml]." };
        var status = new Command("status", """
            For each site with tls:, its names, where the certificate comes from, its issuer, when it expires,
            when berth will renew it, and the last failed order. Reads berth.yml and the storage directory.
            """);
        status.Options.Add(config);
        status.SetAction(parse => Status(parse, parse.GetValue(config) ?? "berth.yml"));
        cert.Subcommands.Add(status);

        Option<string> control = ControlOption.Create();
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

    private static int Status(ParseResult parse, string path)
    {
        ConfigResult result = ConfigLoader.Load(path);
        if (!BerthCommand.ReportErrors(result))
        {
            return BerthCommand.ExitConfigError;
        }

        BerthConfig config = result.Config!;
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
                output.WriteLine($"  source: berth's local CA ({storage.PathOf("ca", "root.crt")}); a fresh certificate at every start and reload");
                continue;
            }

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
                if (tls.Mode == TlsMode.Acme)
                {
                    output.WriteLine($"  next renewal: {AcmeCertificates.RenewalTime(leaf):u}");
                }
            }

            if (tls.Mode == TlsMode.Acme && File.Exists(AcmeCertificates.LastErrorFile(storage, site)))
            {
                output.WriteLine($"  last error: {File.ReadAllText(AcmeCertificates.LastErrorFile(storage, site)).Trim()}");
            }
        }

        if (shown == 0)
        {
            output.WriteLine($"{path}: no site has tls:");
        }

        return 0;
    }
}
