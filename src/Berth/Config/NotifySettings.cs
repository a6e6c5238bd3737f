namespace Berth.Config;

/// <summary>Which outcomes of a deploy a channel is told about (<c>on: [success, failure]</c>).</summary>
[Flags]
public enum NotifyOn
{
    None = 0,
    Success = 1,
    Failure = 2,
    Both = Success | Failure,
}

/// <summary>
/// A value of berth.yml that may name variables, <c>${SMTP_PASSWORD}</c> or <c>Bearer ${TOKEN}</c>. berth.yml is
/// committed, so secrets are never written in it: they are looked up in the local env file or the environment
/// when a notification is sent (<see cref="Deploy.Notify.SecretSource"/>), never when the file is read, so
/// <c>berth serve</c> on a server reads the same file without the developer's secrets.
/// </summary>
/// <param name="Text">The value as written.</param>
/// <param name="Source">Where it was written.</param>
/// <param name="Key">Its path, for errors: <c>deploy.notify.email.password</c>.</param>
public sealed record EnvText(string Text, SourceSpan Source, string Key)
{
    /// <summary>The names of the variables in <see cref="Text"/>, in order.</summary>
    public IReadOnlyList<string> Variables => EnvReference.Names(Text);

    public bool HasVariables => Variables.Count > 0;
}

/// <summary>The <c>deploy: notify:</c> section: who is told when a deploy ends, and where their secrets are.</summary>
public sealed record NotifySettings
{
    public const string DefaultEnvFile = ".env.deploy";

    public NotifyOn On { get; init; } = NotifyOn.Both;

    /// <summary>The local file of NAME=value lines that <c>${NAME}</c> references are read from (absolute).</summary>
    public required string EnvFile { get; init; }

    /// <summary>How long each channel may take; a slow channel is reported, it never holds up the deploy's result.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public SlackSettings? Slack { get; init; }
    public WebhookSettings? Webhook { get; init; }
    public EmailSettings? Email { get; init; }
    public SmsSettings? Sms { get; init; }

    public SourceSpan Source { get; init; }

    public IEnumerable<NotifyChannelSettings> Channels =>
        new NotifyChannelSettings?[] { Slack, Webhook, Email, Sms }.OfType<NotifyChannelSettings>();

    /// <summary>Whether <paramref name="channel"/> is told about a run that <paramref name="succeeded"/> (or not).</summary>
    public bool Wants(NotifyChannelSettings channel, bool succeeded) =>
        ((channel.On ?? On) & (succeeded ? NotifyOn.Success : NotifyOn.Failure)) != 0;
}

/// <summary>What every channel has: its name in messages, and its own <c>on:</c> (else the section's).</summary>
public abstract record NotifyChannelSettings
{
    public abstract string Channel { get; }

    public NotifyOn? On { get; init; }

    public SourceSpan Source { get; init; }
}

/// <summary>A Slack incoming webhook; its URL holds the token, so it is always a <c>${NAME}</c>.</summary>
public sealed record SlackSettings(EnvText Url) : NotifyChannelSettings
{
    public override string Channel => "slack";
}

/// <summary>Any HTTP endpoint that takes the deploy report as JSON, with headers such as Authorization.</summary>
public sealed record WebhookSettings(EnvText Url) : NotifyChannelSettings
{
    public override string Channel => "webhook";

    public IReadOnlyList<(string Name, EnvText Value)> Headers { get; init; } = [];
}

/// <summary>Mail over SMTP with STARTTLS (RFC 3207) on the submission port (RFC 6409).</summary>
public sealed record EmailSettings(string Host, string From, IReadOnlyList<string> To) : NotifyChannelSettings
{
    public const int SubmissionPort = 587;

    public override string Channel => "email";

    public int Port { get; init; } = SubmissionPort;

    /// <summary>Refuse to send unless the server upgrades to TLS; false only for a relay on localhost.</summary>
    public bool StartTls { get; init; } = true;

    public EnvText? User { get; init; }
    public EnvText? Password { get; init; }

    /// <summary>PEM roots that sign the server's certificate, instead of the system's (absolute).</summary>
    public string? CaBundle { get; init; }

    /// <summary>False trusts any certificate: a test server's self-signed one.</summary>
    public bool VerifyCertificate { get; init; } = true;
}

/// <summary>SMS through Twilio's Messages API.</summary>
public sealed record SmsSettings(EnvText AccountSid, EnvText AuthToken, string From, IReadOnlyList<string> To) : NotifyChannelSettings
{
    public const string TwilioBaseUrl = "https://api.twilio.com";

    public override string Channel => "sms";

    public string BaseUrl { get; init; } = TwilioBaseUrl;
}
