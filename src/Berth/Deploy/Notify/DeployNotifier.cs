using System.Net;
using System.Net.Sockets;
using Berth.Config;

namespace Berth.Deploy.Notify;

/// <summary>
/// The one entry point the deploy engine calls when a run ends: every channel that wants this outcome is told
/// at once, each within <see cref="NotifySettings.Timeout"/>. A channel that fails is returned as an outcome
/// with its cause and fix, printed as a warning beside the deploy's result; it never changes that result
/// and never stops the other channels. <c>--plan</c> calls <see cref="Describe"/> only, which sends nothing.
/// </summary>
public sealed class DeployNotifier : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Func<string, string?>? _environment;

    /// <param name="environment">Where ${NAME} is looked up before the env file; the process environment by default.</param>
    public DeployNotifier(TimeProvider time, Func<string, string?>? environment = null)
    {
        _time = time;
        _environment = environment;
        // Timeouts are per channel (below), so the client's own is off; no cookies, no redirects to follow
        // a webhook URL somewhere unexpected with the report.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("berth-deploy");
    }

    public async Task<IReadOnlyList<NotifyOutcome>> SendAsync(NotifySettings settings, DeployReport report, CancellationToken cancellationToken)
    {
        SecretSource secrets = SecretSource.Load(settings.EnvFile, _environment);
        IEnumerable<Task<NotifyOutcome>> sends = settings.Channels
            .Where(c => settings.Wants(c, report.Succeeded))
            .Select(c => SendOneAsync(c, secrets, settings.Timeout, report, cancellationToken));
        return await Task.WhenAll(sends).ConfigureAwait(false);
    }

    /// <summary>What a run would send, for <c>--plan</c>: "would notify slack, email to ops@example.com (on failure)".</summary>
    public static string Describe(NotifySettings? settings)
    {
        if (settings is null || !settings.Channels.Any())
        {
            return "would notify nobody (no deploy.notify: channels)";
        }

        IEnumerable<string> channels = settings.Channels.Select(c =>
        {
            string who = c switch
            {
                EmailSettings email => $"email to {string.Join(", ", email.To)}",
                SmsSettings sms => $"sms to {string.Join(", ", sms.To)}",
                _ => c.Channel,
            };
            return (c.On ?? settings.On) switch
            {
                NotifyOn.Both => who,
                NotifyOn.Success => $"{who} (on success)",
                NotifyOn.Failure => $"{who} (on failure)",
                _ => $"{who} (never: on: is empty)",
            };
        });
        return "would notify " + string.Join(", ", channels);
    }

    private async Task<NotifyOutcome> SendOneAsync(NotifyChannelSettings channel, SecretSource secrets, TimeSpan timeout, DeployReport report, CancellationToken cancellationToken)
    {
        string target = channel.Channel;
        try
        {
            INotifier notifier = Create(channel, secrets);
            target = notifier.Target;
            using var deadline = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
            try
            {
                await notifier.SendAsync(report, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new NotifyException($"no answer within {DeploySummary.Duration(timeout)}",
                    "check that the service is reachable from this machine, or raise deploy.notify.timeout:", e);
            }

            return new NotifyOutcome(channel.Channel, target, null);
        }
        catch (NotifyException e)
        {
            return new NotifyOutcome(channel.Channel, target, e);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            return new NotifyOutcome(channel.Channel, target, Unreachable(channel, e));
        }
#pragma warning disable CA1031 // a notifier must never take the deploy's result down with it, whatever it throws
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new NotifyOutcome(channel.Channel, target, new NotifyException($"failed unexpectedly: {e.GetType().Name}: {e.Message}",
                "this is likely a bug in berth: please report it with this line and the deploy.notify section (without secrets)", e));
        }
#pragma warning restore CA1031
    }

    private INotifier Create(NotifyChannelSettings channel, SecretSource secrets) => channel switch
    {
        SlackSettings slack => new SlackNotifier(_http, HttpNotify.ParseUrl(secrets.Resolve(slack.Url), slack.Url.Key)),
        WebhookSettings hook => new WebhookNotifier(_http, HttpNotify.ParseUrl(secrets.Resolve(hook.Url), hook.Url.Key),
            hook.Headers.Select(h => (h.Name, secrets.Resolve(h.Value))).ToList()),
        EmailSettings email => new EmailNotifier(email,
            email.User is { } user ? new NetworkCredential(secrets.Resolve(user), email.Password is { } password ? secrets.Resolve(password) : "") : null),
        SmsSettings sms => new SmsNotifier(_http, new Uri(sms.BaseUrl.TrimEnd('/') + "/"), secrets.Resolve(sms.AccountSid), secrets.Resolve(sms.AuthToken), sms.From, sms.To),
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel.Channel, "berth bug: a notify channel without a notifier"),
    };

    /// <summary>The network failed before the service answered: refused, unresolvable, reset.</summary>
    private static NotifyException Unreachable(NotifyChannelSettings channel, Exception e)
    {
        string cause = e.InnerException is SocketException socket ? $"{e.Message} ({socket.SocketErrorCode})" : e.Message;
        string fix = channel switch
        {
            SmsSettings => "check base_url: (default https://api.twilio.com) and that this machine can reach it",
            _ => "check the URL in the env file and that this machine can reach it (proxy, firewall, VPN)",
        };
        return new NotifyException($"could not connect: {cause}", fix, e);
    }

    public void Dispose() => _http.Dispose();
}
