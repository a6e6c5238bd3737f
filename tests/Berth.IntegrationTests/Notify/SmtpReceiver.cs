using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Berth.IntegrationTests.Notify;

/// <summary>smtp_receiver.py (aiosmtpd from Debian, under /usr/bin/python3) on 127.0.0.1, stopped by its pid.</summary>
public sealed class SmtpReceiver : IDisposable
{
    private readonly Process _process;

    private SmtpReceiver(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public static async Task<SmtpReceiver> StartAsync(string cert, string key, string user, string password, bool startTls)
    {
        int port = FreePort();
        string directory = System.IO.Directory.CreateTempSubdirectory("berth-smtp-").FullName;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "Notify", "smtp_receiver.py"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), directory, cert, key, user, password, startTls ? "starttls" : "plain" })
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "ready")
        {
            string error = await process.StandardError.ReadToEndAsync(timeout.Token);
            process.Kill();
            throw new InvalidOperationException($"smtp_receiver.py did not start (is python3-aiosmtpd installed?): {error}");
        }

        return new SmtpReceiver(process, port, directory);
    }

    /// <summary>The messages received so far, each as saved by the script.</summary>
    public IReadOnlyList<JsonElement> Messages() =>
        System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.Clone()).ToList();

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
