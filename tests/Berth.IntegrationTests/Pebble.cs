using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Berth.IntegrationTests;

/// <summary>
/// Debian's pebble (a test ACME server) on loopback, with pebble-challtestsrv as its DNS answering 127.0.0.1 for
/// every name, so an HTTP-01 validation of any name comes to berth's address on <see cref="HttpPort"/>. Pebble's
/// own HTTPS certificate is from <see cref="TestCertificates"/>, which berth is told to trust with acme_ca_bundle.
/// </summary>
public sealed class Pebble : IAsyncDisposable
{
    private readonly Process _dns;
    private readonly Process _pebble;
    private readonly StringBuilder _output = new();
    private bool _disposed;

    private Pebble(Process dns, Process pebble, int port, int managementPort, int httpPort)
    {
        _dns = dns;
        _pebble = pebble;
        DirectoryUrl = $"https://localhost:{port}/dir";
        ManagementUrl = $"https://localhost:{managementPort}";
        HttpPort = httpPort;
    }

    public string DirectoryUrl { get; }

    public string ManagementUrl { get; }

    /// <summary>Where pebble connects for HTTP-01 (RFC 8555 says 80; pebble lets a test choose).</summary>
    public int HttpPort { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="tlsPort">Where pebble connects for TLS-ALPN-01: berth's https port in a test of it.</param>
    public static async Task<Pebble> StartAsync(TestCertificates certs, int nonceRejectPercent = 20, int? tlsPort = null)
    {
        (string cert, string key) = certs.Issue("pebble", "localhost");
        int port = BerthProcess.FreePort(), management = BerthProcess.FreePort(), http = BerthProcess.FreePort(), dns = BerthProcess.FreePort();
        string config = Path.Combine(certs.Directory, "pebble-config.json");
        File.WriteAllText(config, $$"""
            { "pebble": { "listenAddress": "127.0.0.1:{{port}}", "managementListenAddress": "127.0.0.1:{{management}}",
              "certificate": "{{cert}}", "privateKey": "{{key}}", "httpPort": {{http}}, "tlsPort": {{tlsPort ?? BerthProcess.FreePort()}},
              "ocspResponderURL": "", "externalAccountBindingRequired": false } }
            """);
        var pebble = new Pebble(
            Start("pebble-challtestsrv", [], "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", $"127.0.0.1:{dns}", "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", $"127.0.0.1:{BerthProcess.FreePort()}"),
            Start("pebble", [("PEBBLE_VA_NOSLEEP", "1"), ("PEBBLE_WFE_NONCEREJECT", nonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture))], "-config", config, "-dnsserver", $"127.0.0.1:{dns}"),
            port, management, http);
        pebble.Collect(pebble._dns);
        pebble.Collect(pebble._pebble);
        using HttpClient client = TestCertificates.Client(port, certs.Ca, []);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await client.GetStringAsync(new Uri(pebble.DirectoryUrl));
                return pebble;
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The root pebble made for this run, which signs the certificates it issues.</summary>
    public async Task<X509Certificate2> RootAsync(TestCertificates certs, int managementPort)
    {
        using HttpClient client = TestCertificates.Client(managementPort, certs.Ca, []);
        return X509Certificate2.CreateFromPem(await client.GetStringAsync(new Uri($"{ManagementUrl}/roots/0")));
    }

    public int ManagementPort => new Uri(ManagementUrl).Port;

    private static Process Start(string program, (string Name, string Value)[] environment, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }

    private void Collect(Process process)
    {
        void Append(object sender, DataReceivedEventArgs e)
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return; // a test may stop pebble early, to see an order fail
        }

        _disposed = true;
        foreach (Process process in new[] { _pebble, _dns })
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}
