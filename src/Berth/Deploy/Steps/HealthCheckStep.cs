using Berth.Config;

namespace Berth.Deploy.Steps;

/// <summary>
/// GETs <c>health_check: path:</c> on the host itself (127.0.0.1, the site's port, its first name as Host) until
/// it answers below 400 or <c>timeout:</c> passes; redirects are answers, not followed. A release that fails it is
/// switched back at once. The fetch is the host's Python (urllib), so it needs no curl and sees the site exactly
/// as a local client would.
/// </summary>
public sealed class HealthCheckStep : IDeployStep
{
    public string Name => "health check";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        if (context.Deploy.HealthCheckPath is not { } path)
        {
            return Outcome.Skipped("no health_check: path:");
        }

        if (Target(context.Config, path) is not { } target)
        {
            return Outcome.Skipped("no site listens on a TCP port to check");
        }

        string described = $"GET {target.Url} (Host: {target.Host})";
        if (plan)
        {
            return Outcome.Skipped($"would {described} after the reload");
        }

        RemoteResult result = await context.RunAsync(Fetch(context.Deploy.Python, target, context.Deploy.HealthCheckTimeout), cancellationToken).ConfigureAwait(false);
        string answer = result.LastLine();
        if (result.Succeeded)
        {
            return Outcome.Ok($"{described} answered {answer}");
        }

        string within = $"within {context.Deploy.HealthCheckTimeout.TotalSeconds:0.#}s";
        if (!context.Switched)
        {
            return Outcome.Failed($"{described} did not answer below 400 {within}: {answer}");
        }

        string back = await SwitchStep.SwitchBackAsync(context, cancellationToken).ConfigureAwait(false);
        return Outcome.Failed($"{described} did not answer below 400 {within}: {answer}; {back}. The server's log (`berth logs`) says why");
    }

    public sealed record HealthTarget(string Url, string Host, bool Tls);

    /// <summary>The first site serving an app on a TCP address, reached on loopback (the address it listens on
    /// when that is a specific one).</summary>
    public static HealthTarget? Target(BerthConfig config, string path)
    {
        foreach (SiteConfig site in config.Sites.Where(s => s.Mounts.Count > 0).Concat(config.Sites))
        {
            if (site.Listen.FirstOrDefault(l => !l.IsUnix) is not { } listen)
            {
                continue;
            }

            string address = listen.Host is "" or "0.0.0.0" or "::" or "*" or "localhost" ? "127.0.0.1"
                : listen.Host.Contains(':', StringComparison.Ordinal) ? $"[{listen.Host}]" : listen.Host;
            bool tls = site.Tls is not null;
            string host = site.Hosts.FirstOrDefault(h => !h.StartsWith('*')) ?? "localhost";
            return new HealthTarget($"{(tls ? "https" : "http")}://{address}:{listen.Port}{path}", host, tls);
        }

        return null;
    }

    /// <summary>Polls every 0.2 s; prints the status that passed, or the last answer or error and exits 1.</summary>
    public static RemoteCommand Fetch(string python, HealthTarget target, TimeSpan timeout)
    {
        const string program = """
            import ssl, sys, time, urllib.error, urllib.request
            url, host, deadline = sys.argv[1], sys.argv[2], time.monotonic() + float(sys.argv[3])
            class NoRedirect(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, *args): return None
            context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
            opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
            last = "no answer"
            while True:
                try:
                    with opener.open(urllib.request.Request(url, headers={"Host": host}), timeout=5) as r:
                        status = r.status
                except urllib.error.HTTPError as e:
                    status = e.code
                except Exception as e:
                    status, last = None, f"{type(e).__name__}: {e}"
                if status is not None and status < 400:
                    print(status); sys.exit(0)
                if status is not None:
                    last = f"{status}"
                if time.monotonic() > deadline:
                    print(last); sys.exit(1)
                time.sleep(0.2)
            """;
        return RemoteCommand.Of(python, "-c", program, target.Url, target.Host,
            timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture));
    }
}
