using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Config;
using Berth.Deploy;
using Berth.Deploy.Notify;

namespace Berth.IntegrationTests.Notify;

/// <summary>
/// Deploy notifications delivered for real: mail to aiosmtpd over STARTTLS with a login, Slack, the JSON webhook
/// and Twilio's API to a local HTTP receiver, every secret read from an env file. A channel that is down is a
/// warning while the others still deliver.
/// </summary>
public sealed class NotifyTests : IDisposable
{
    private const string SmtpUser = "deploy@example.com";
    private const string SmtpPassword = "s3cret pass";

    private readonly TestCertificates _certificates = new();
    private readonly HttpReceiver _http = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("berth-notify-").FullName;
    private readonly DeployNotifier _notifier = new(TimeProvider.System, _ => null);

    private static readonly DeployReport Report = new("shop", "deploy", "0123456789abcdef0123456789abcdef01234567", "alice",
        new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(72),
    [
        new HostOutcome("deploy@web1", "20261122T080000-0123456", HostStatus.Ok, null, null),
        new HostOutcome("deploy@web2", "20261122T080000-0123456", HostStatus.RolledBack, "health check", "GET / answered 500"),
    ]);

    [Fact]
    public async Task Every_channel_receives_the_deploy_with_secrets_from_the_env_file()
    {
        (string cert, string key) = _certificates.Issue("smtp", "localhost");
        using SmtpReceiver smtp = await SmtpReceiver.StartAsync(cert, key, SmtpUser, SmtpPassword, startTls: true);
        NotifySettings settings = Settings(smtp.Port);

        IReadOnlyList<NotifyOutcome> outcomes = await _notifier.SendAsync(settings, Report, CancellationToken.None);

        Assert.All(outcomes, o => Assert.True(o.Delivered, o.ToString()));
        Assert.Equal(["slack", "webhook", "email", "sms"], outcomes.Select(o => o.Channel));

        HttpReceiver.Received slack = Assert.Single(_http.Requests, r => r.Path.StartsWith("/services/", StringComparison.Ordinal));
        Assert.Equal("/services/T000/B000/XXXX", slack.Path);
        string text = JsonDocument.Parse(slack.Body).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("shop: deploy of 0123456 FAILED on deploy@web2 at health check. Run by alice", text, StringComparison.Ordinal);
        Assert.Contains("deploy@web2: release 20261122T080000-0123456 failed at health check (GET / answered 500) and was switched back", text, StringComparison.Ordinal);

        HttpReceiver.Received hook = Assert.Single(_http.Requests, r => r.Path == "/hooks/deploy");
        Assert.Equal("Bearer hook-token", hook.Headers["Authorization"]);
        Assert.Equal("berth", hook.Headers["X-Source"]);
        Assert.StartsWith("application/json", hook.Headers["Content-Type"], StringComparison.Ordinal);
        JsonElement report = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal(("shop", "alice", false), (report.GetProperty("app").GetString(), report.GetProperty("deployed_by").GetString(), report.GetProperty("succeeded").GetBoolean()));
        JsonElement web2 = report.GetProperty("hosts")[1];
        Assert.Equal(("deploy@web2", "RolledBack", "health check"), (web2.GetProperty("host").GetString(), web2.GetProperty("status").GetString(), web2.GetProperty("failed_step").GetString()));

        HttpReceiver.Received[] sms = _http.Requests.Where(r => r.Path.Contains("/Messages.json", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, sms.Length);
        Assert.All(sms, r => Assert.Equal("/twilio/2010-04-01/Accounts/AC123/Messages.json", r.Path));
        Assert.All(sms, r => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC123:twilio-token")), r.Headers["Authorization"]));
        Dictionary<string, string> form = Form(sms[0].Body);
        Assert.Equal(("+15551234567", "+15005550006"), (form["To"], form["From"]));
        Assert.Equal(text, form["Body"]);
        Assert.Equal("+15557654321", Form(sms[1].Body)["To"]);

        JsonElement mail = Assert.Single(smtp.Messages());
        Assert.True(mail.GetProperty("tls").GetBoolean(), "the message was sent before STARTTLS");
        Assert.Equal(SmtpUser, mail.GetProperty("login").GetString());
        Assert.Equal(["ops@example.com", "dev@example.com"], mail.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("[berth] shop: deploy of 0123456 FAILED on deploy@web2 at health check", mail.GetProperty("subject").GetString());
        Assert.Contains("  deploy@web1: release 20261122T080000-0123456 is live\n", mail.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channel_that_is_down_is_a_warning_while_the_others_deliver()
    {
        File.WriteAllText(EnvFile, $"SLACK_WEBHOOK_URL=http://127.0.0.1:{SmtpReceiver.FreePort()}/services/T/B/x\nHOOK_URL={_http.Url}/hooks/deploy\n");
        _http.Statuses["/twilio/2010-04-01/Accounts/AC123/Messages.json"] = 401;
        NotifySettings settings = new()
        {
            EnvFile = EnvFile,
            Slack = new SlackSettings(Text("${SLACK_WEBHOOK_URL}")),
            Webhook = new WebhookSettings(Text("${HOOK_URL}")),
            Sms = new SmsSettings(Text("AC123"), Text("${NOT_SET}"), "+15005550006", ["+15551234567"]) { BaseUrl = _http.Url + "/twilio" },
        };

        IReadOnlyList<NotifyOutcome> outcomes = await _notifier.SendAsync(settings, Report, CancellationToken.None);

        NotifyOutcome slack = outcomes.Single(o => o.Channel == "slack");
        Assert.False(slack.Delivered);
        Assert.StartsWith("warning: could not notify slack (http://127.0.0.1:", slack.ToString(), StringComparison.Ordinal);
        Assert.Contains("could not connect", slack.Problem!.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", slack.Problem.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("/services/T/B/x", slack.ToString(), StringComparison.Ordinal);
        NotifyOutcome sms = outcomes.Single(o => o.Channel == "sms");
        Assert.Contains("${NOT_SET} is not set", sms.Problem!.Message, StringComparison.Ordinal);
        Assert.True(outcomes.Single(o => o.Channel == "webhook").Delivered);
        Assert.Single(_http.Requests);
    }

    [Fact]
    public async Task Twilio_refusing_the_credentials_says_what_to_fix()
    {
        File.WriteAllText(EnvFile, "TWILIO_AUTH_TOKEN=wrong\n");
        _http.Statuses["/2010-04-01/Accounts/AC123/Messages.json"] = (int)HttpStatusCode.Unauthorized;
        NotifySettings settings = new()
        {
            EnvFile = EnvFile,
            Sms = new SmsSettings(Text("AC123"), Text("${TWILIO_AUTH_TOKEN}"), "+15005550006", ["+15551234567"]) { BaseUrl = _http.Url },
        };

        NotifyOutcome sms = Assert.Single(await _notifier.SendAsync(settings, Report, CancellationToken.None));

        Assert.Equal("Twilio answered 401 Unauthorized: ok", sms.Problem!.Message);
        Assert.Contains("account SID and auth token", sms.Problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_is_not_sent_to_a_server_whose_certificate_nothing_trusts_unless_told()
    {
        (string cert, string key) = _certificates.Issue("smtp", "localhost");
        using SmtpReceiver smtp = await SmtpReceiver.StartAsync(cert, key, SmtpUser, SmtpPassword, startTls: true);
        NotifySettings settings = Settings(smtp.Port);
        EmailSettings untrusted = settings.Email! with { CaBundle = null };

        NotifyOutcome refused = Assert.Single(await _notifier.SendAsync(settings with { Slack = null, Webhook = null, Sms = null, Email = untrusted }, Report, CancellationToken.None));
        Assert.Contains("TLS handshake", refused.Problem!.Message, StringComparison.Ordinal);
        Assert.Contains("ca_bundle:", refused.Problem.Fix, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages());

        NotifyOutcome optedOut = Assert.Single(await _notifier.SendAsync(settings with { Slack = null, Webhook = null, Sms = null, Email = untrusted with { VerifyCertificate = false } }, Report, CancellationToken.None));
        Assert.True(optedOut.Delivered, optedOut.ToString());
        Assert.True(Assert.Single(smtp.Messages()).GetProperty("tls").GetBoolean());
    }

    [Fact]
    public async Task Mail_is_not_sent_in_clear_text_to_a_server_without_starttls()
    {
        (string cert, string key) = _certificates.Issue("smtp", "localhost");
        using SmtpReceiver smtp = await SmtpReceiver.StartAsync(cert, key, SmtpUser, SmtpPassword, startTls: false);
        NotifySettings settings = Settings(smtp.Port);

        NotifyOutcome outcome = Assert.Single(await _notifier.SendAsync(settings with { Slack = null, Webhook = null, Sms = null }, Report, CancellationToken.None));

        Assert.Contains("does not offer STARTTLS", outcome.Problem!.Message, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages());
    }

    [Fact]
    public async Task A_mail_server_that_never_answers_is_given_up_on_at_the_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        NotifySettings settings = Settings(port) with { Slack = null, Webhook = null, Sms = null, Timeout = TimeSpan.FromSeconds(1) };

        NotifyOutcome outcome = Assert.Single(await _notifier.SendAsync(settings, Report, CancellationToken.None));

        Assert.Equal("no answer within 1.0s", outcome.Problem!.Message);
        Assert.Contains("deploy.notify.timeout:", outcome.Problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_describes_the_channels_and_sends_nothing()
    {
        string plan = DeployNotifier.Describe(Settings(port: 1));

        Assert.Equal("would notify slack, webhook, email to ops@example.com, dev@example.com, sms to +15551234567, +15557654321", plan);
        Assert.Empty(_http.Requests);
    }

    private string EnvFile => Path.Combine(_directory, ".env.deploy");

    /// <summary>Every channel, pointed at the local receivers, with its secrets in the env file.</summary>
    private NotifySettings Settings(int port)
    {
        File.WriteAllText(EnvFile, $"""
            # written by the test, as a developer would
            SLACK_WEBHOOK_URL={_http.Url}/services/T000/B000/XXXX
            DEPLOY_WEBHOOK_URL={_http.Url}/hooks/deploy
            DEPLOY_WEBHOOK_TOKEN=hook-token
            SMTP_PASSWORD="{SmtpPassword}"
            TWILIO_AUTH_TOKEN=twilio-token
            """);
        return new NotifySettings
        {
            EnvFile = EnvFile,
            Slack = new SlackSettings(Text("${SLACK_WEBHOOK_URL}")),
            Webhook = new WebhookSettings(Text("${DEPLOY_WEBHOOK_URL}")) { Headers = [("Authorization", Text("Bearer ${DEPLOY_WEBHOOK_TOKEN}")), ("X-Source", Text("berth"))] },
            Email = new EmailSettings("localhost", "deploy@example.com", ["ops@example.com", "dev@example.com"])
            {
                Port = port,
                User = Text(SmtpUser),
                Password = Text("${SMTP_PASSWORD}"),
                CaBundle = _certificates.CaFile,
            },
            Sms = new SmsSettings(Text("AC123"), Text("${TWILIO_AUTH_TOKEN}"), "+15005550006", ["+15551234567", "+15557654321"]) { BaseUrl = _http.Url + "/twilio" },
        };
    }

    private static EnvText Text(string text) => new(text, new SourceSpan("berth.yml", 1), "deploy.notify");

    private static Dictionary<string, string> Form(string body) =>
        body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p[1]));

    public void Dispose()
    {
        _notifier.Dispose();
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
        Directory.Delete(_certificates.Directory, recursive: true);
    }
}
