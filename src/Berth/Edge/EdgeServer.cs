using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Berth.Acme;
using Berth.Config;
using Berth.Tls;
using Berth.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Edge;

/// <summary>
/// Kestrel listeners and the one request delegate: pick the site by listener and Host, the route by
/// longest path prefix, then serve a file or forward to the app.
/// </summary>
public sealed class EdgeServer : IAsyncDisposable
{
    private const string ListenerKey = "berth.listener";

    private const string AcmeChallengePrefix = "/.well-known/acme-challenge/";

    private readonly WebApplication _web;
    private readonly TimeProvider _time;
    private readonly AppProxy _proxy;
    private readonly AccessLog? _accessLog;
    private volatile RoutingTable _routing;
    private volatile CertificateStore _certificates;
    private readonly Http01Challenges? _challenges;
    private readonly TlsAlpnChallenges? _tlsAlpn;

    /// <param name="certificates">The certificates of the TLS sites, chosen per handshake by SNI; see <see cref="PublishCertificates"/>.</param>
    /// <param name="challenges">ACME HTTP-01 answers, served on every listener before any site's routes; null for none.</param>
    public EdgeServer(BerthConfig config, IReadOnlyDictionary<string, AppSupervisor> apps, CertificateStore certificates, Http01Challenges? challenges, TlsAlpnChallenges? tlsAlpn, string runtimeDirectory, ILoggerFactory logs, TimeProvider time)
    {
        _tlsAlpn = tlsAlpn;
        _challenges = challenges;
        Listeners = config.Sites.SelectMany(s => s.Listen)
            .Concat(config.Sites.Select(s => s.Tls?.RedirectFrom).OfType<ListenAddress>())
            .DistinctBy(l => l.ToString()).ToArray();
        _certificates = certificates;
        _time = time;
        _routing = RoutingTable.Build(config, Listeners, apps, time, previous: null);
        var options = new EdgeOptions(config.Server, runtimeDirectory);
        _proxy = new AppProxy(options, logs.CreateLogger("berth.edge"));
        _accessLog = config.Server.AccessLog is { } target ? AccessLog.Open(target, time) : null;

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // Kestrel logs through berth's factory (AddLogging only fills in what is not registered yet).
        builder.Services.AddSingleton(logs);
        builder.Services.AddLogging();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.AllowSynchronousIO = false;
            kestrel.Limits.MaxRequestBodySize = config.Server.MaxBodySize;
            // Kestrel answers 431 past this, before any of our code runs; 32 KiB matches nginx's
            // large_client_header_buffers (4 × 8k).
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            // WSGI header values are Latin-1 native strings; without this Kestrel refuses any byte > 0x7F.
            kestrel.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
            for (int i = 0; i < Listeners.Count; i++)
            {
                int index = i;
                string name = Listeners[i].ToString();
                bool secure = config.Sites.Any(s => s.Tls is not null && s.Listen.Any(l => l.ToString() == name));
                void Configure(ListenOptions listen)
                {
                    // HTTP/2 needs TLS (ALPN) in browsers; on plain listeners it would only warn.
                    listen.Protocols = secure ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    if (secure)
                    {
                        listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = ChooseCertificate, HandshakeTimeout = TimeSpan.FromSeconds(10) });
                    }

                    if (Listeners.Count > 1)
                    {
                        listen.Use(next => connection =>
                        {
                            connection.Items[ListenerKey] = index;
                            return next(connection);
                        });
                    }
                }

                ListenAddress address = Listeners[i];
                if (address.UnixPath is { } path)
                {
                    File.Delete(path);
                    kestrel.ListenUnixSocket(path, Configure);
                }
                else if (address.Host is "localhost")
                {
                    kestrel.ListenLocalhost(address.Port, Configure);
                }
                else
                {
                    IPAddress ip = address.Host is "" or "0.0.0.0" or "*" ? IPAddress.Any : IPAddress.Parse(address.Host);
                    kestrel.Listen(ip, address.Port, Configure);
                }
            }
        });
        builder.Logging.ClearProviders();
        _web = builder.Build();
        // Only ASGI apps take the upgrade (AppProxy asks IsWebSocketRequest); each accept sets the app's
        // websocket_ping_interval (WebSocketRelay.AcceptAsync).
        _web.UseWebSockets();
        _web.Run(HandleAsync);
    }

    public IReadOnlyList<ListenAddress> Listeners { get; }

    /// <summary>Handshakes from now on use <paramref name="certificates"/>; open connections keep the certificate they
    /// were made with, so nothing is dropped.</summary>
    public void PublishCertificates(CertificateStore certificates) => _certificates = certificates;

    /// <summary>Per handshake, from the SNI name: TLS 1.2 and 1.3 only (RFC 8996 retired 1.0 and 1.1), h2 then http/1.1 by ALPN.</summary>
    /// <remarks>While a TLS-ALPN-01 validation of a name is pending, handshakes for it offer only acme-tls/1 with the
    /// challenge certificate (RFC 8737 3); that lasts the seconds the ACME server takes to check.</remarks>
    private ValueTask<SslServerAuthenticationOptions> ChooseCertificate(TlsHandshakeCallbackContext context) =>
        _tlsAlpn?.Find(context.ClientHelloInfo.ServerName) is { } challenge
        ? ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = challenge,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [TlsAlpnChallenges.Protocol],
        })
        : ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificates.Find(context.ClientHelloInfo.ServerName),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        });

    public Task StartAsync(CancellationToken cancellationToken) => _web.StartAsync(cancellationToken);

    /// <summary>Stops accepting and waits for in-flight requests until <paramref name="cancellationToken"/> fires.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _web.StopAsync(cancellationToken);

    /// <summary>Routes by <paramref name="config"/> from the next request on; requests already routed finish where
    /// they are. Its sites must listen on <see cref="Listeners"/> only: listeners do not change while berth runs.</summary>
    public void Publish(BerthConfig config, IReadOnlyDictionary<string, AppSupervisor> apps) =>
        _routing = RoutingTable.Build(config, Listeners, apps, _time, _routing);

    /// <summary>Static roots are pinned where they resolved (<see cref="StaticFileHandler"/>); a reload resolves them
    /// again, so a deploy's switch of <c>current</c> reaches static files when it reaches the code. Returns the roots
    /// that did not resolve (they keep serving from where they were).</summary>
    public IReadOnlyList<string> ResolveStaticRootsAgain()
    {
        _routing = _routing.WithStaticRootsResolvedAgain(_time, out IReadOnlyList<string> unresolved);
        return unresolved;
    }

    private HostRouter RouterFor(HttpContext context)
    {
        RoutingTable routing = _routing;
        if (Listeners.Count == 1)
        {
            return routing.For(0);
        }

        IDictionary<object, object?>? items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        return routing.For(items is not null && items.TryGetValue(ListenerKey, out object? index) && index is int i ? i : 0);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var record = new RequestRecord();
        try
        {
            if (_challenges is not null && context.Request.Path.StartsWithSegments("/.well-known/acme-challenge", out PathString token)
                && _challenges.Find(token.Value?.TrimStart('/') ?? "") is { } keyAuthorization)
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Response.WriteAsync(keyAuthorization);
                return;
            }

            HostRouter router = RouterFor(context);
            string host = context.Request.Host.Value ?? string.Empty;
            SiteRoutes? site = router.Find(host);
            if (site is null)
            {
                await ErrorPages.WriteAsync(context, 404, "Not Found", $"No site on this server answers to the host name '{HostRouter.StripPort(host)}'. Names served here: {string.Join(", ", router.Names)}.");
                return;
            }

            string path = context.Request.Path.Value ?? "/";
            if (site.RedirectToHttpsPort is { } httpsPort && !path.StartsWith(AcmeChallengePrefix, StringComparison.Ordinal))
            {
                // 308, not 301: a POST stays a POST (RFC 9110 15.4.9).
                string hostName = HostRouter.StripPort(host);
                string authority = httpsPort == 443 ? hostName : $"{hostName}:{httpsPort}";
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = $"https://{authority}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
                context.Response.ContentLength = 0;
                return;
            }

            if (site.Hsts is { } hsts && context.Request.IsHttps)
            {
                context.Response.Headers.StrictTransportSecurity = hsts;
            }

            Route? route = site.Find(path);
            if (route is null)
            {
                await ErrorPages.WriteAsync(context, 404, "Not Found", $"Nothing is served at {path} on this site.");
            }
            else if (route.Static is { } files)
            {
                await files.ServeAsync(context, path[route.ScriptName.Length..]);
            }
            else
            {
                await _proxy.ForwardAsync(context, route, record);
            }
        }
        finally
        {
            // Proxied bodies are counted as they are relayed; files and the edge's own pages carry a Content-Length.
            long sent = record.BytesSent > 0 || HttpMethods.IsHead(context.Request.Method) || context.Response.StatusCode == StatusCodes.Status304NotModified
                ? record.BytesSent
                : context.Response.ContentLength ?? 0;
            _accessLog?.Write(context, sent, record.Upstream, record.Worker);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _web.DisposeAsync();
        if (_accessLog is not null)
        {
            await _accessLog.DisposeAsync();
        }
    }
}
