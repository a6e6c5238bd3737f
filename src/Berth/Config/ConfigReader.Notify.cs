using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Berth.Config;

/// <summary>
/// <c>deploy: notify:</c>. The deploy reader hands its <c>notify:</c> entry to <see cref="ReadNotify(Entry)"/>.
/// berth.yml is committed to the repository, so a secret written in it is refused here, with its line and the
/// move to make; <c>${NAME}</c> references are kept as written and looked up only when a notification is sent.
/// </summary>
internal sealed partial class ConfigReader
{
    // What makes a header a credential, so a literal value in berth.yml is refused like a password.
    private static readonly string[] CredentialHeaderWords = ["auth", "token", "key", "secret", "signature", "password", "cookie"];

    /// <summary>The notify section under <paramref name="path"/> (<c>deploy.notify</c>), for callers that hold the
    /// YAML nodes rather than an <see cref="Entry"/>.</summary>
    internal NotifySettings ReadNotify(string path, YamlNode keyNode, YamlNode value)
    {
        _sources[path] = new ConfigLocation(At(keyNode), Name(path));
        return ReadNotify(new Entry(path[(path.LastIndexOf('.') + 1)..], path, keyNode, value));
    }

    private NotifySettings ReadNotify(Entry block)
    {
        var notify = new NotifySettings { EnvFile = Resolve(NotifySettings.DefaultEnvFile), Source = At(block.KeyNode) };
        if (Block(block, ConfigSchema.Notify) is not { } map)
        {
            return notify;
        }

        foreach (Entry entry in Settings(map, block.Path, SettingSection.Notify))
        {
            notify = entry.Key switch
            {
                "on" => notify with { On = Events(entry, ConfigSchema.NotifyEvents) ?? notify.On },
                "env_file" => notify with { EnvFile = Text(entry, ConfigSchema.NotifyEnvFile) is { } file ? Resolve(HomePath(file)) : notify.EnvFile },
                "timeout" => notify with { Timeout = Parsed<TimeSpan>(entry, ConfigSchema.NotifyTimeout, Duration.TryParse) ?? notify.Timeout },
                "slack" => notify with { Slack = ReadSlack(entry) },
                "webhook" => notify with { Webhook = ReadWebhook(entry) },
                "email" => notify with { Email = ReadEmail(entry) },
                "sms" => notify with { Sms = ReadSms(entry) },
                _ => throw Unread(entry),
            };
        }

        if (!notify.Channels.Any() && !ConfigSchema.NotifyChannels.Any(c => HasKey(map, c.Key)))
        {
            Report(block.KeyNode, block.Path, "names no channel to notify",
                "add slack:, webhook:, email: or sms: under notify: (docs/berth.example.yml shows each), or remove notify:");
        }

        return notify;
    }

    private SlackSettings? ReadSlack(Entry block)
    {
        EnvText? url = null;
        NotifyOn? on = null;
        foreach (Entry entry in ChannelEntries(block, ConfigSchema.NotifySlack, SettingSection.Slack))
        {
            switch (entry.Key)
            {
                case "url": url = Secret(entry, ConfigSchema.SlackUrl, "SLACK_WEBHOOK_URL"); break;
                case "on": on = Events(entry, ConfigSchema.SlackOn); break;
                default: throw Unread(entry);
            }
        }

        return Required(block, url, ConfigSchema.SlackUrl) ? new SlackSettings(url!) { On = on, Source = At(block.KeyNode) } : null;
    }

    private WebhookSettings? ReadWebhook(Entry block)
    {
        EnvText? url = null;
        NotifyOn? on = null;
        var headers = new List<(string, EnvText)>();
        foreach (Entry entry in ChannelEntries(block, ConfigSchema.NotifyWebhook, SettingSection.Webhook))
        {
            switch (entry.Key)
            {
                case "url": url = Secret(entry, ConfigSchema.WebhookUrl, "DEPLOY_WEBHOOK_URL"); break;
                case "headers": headers = ReadHeaders(entry); break;
                case "on": on = Events(entry, ConfigSchema.WebhookOn); break;
                default: throw Unread(entry);
            }
        }

        return Required(block, url, ConfigSchema.WebhookUrl) ? new WebhookSettings(url!) { Headers = headers, On = on, Source = At(block.KeyNode) } : null;
    }

    private List<(string, EnvText)> ReadHeaders(Entry block)
    {
        var headers = new List<(string, EnvText)>();
        if (Block(block, ConfigSchema.WebhookHeaders) is not { } map)
        {
            return headers;
        }

        foreach (Entry entry in Entries(map, block.Path, ConfigPath.Entry))
        {
            if (entry.Value is not YamlScalarNode { Value: { Length: > 0 } } || IsEmpty(entry.Value))
            {
                Report(entry.KeyNode, entry.Path, $"must be the header's value, got {Describe(entry.Value)}", ConfigSchema.WebhookHeaders.FixFor(At(entry.KeyNode)));
            }
            else if (CredentialHeaderWords.Any(w => entry.Key.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                if (Secret(entry, ConfigSchema.WebhookHeaders, VariableFor(entry.Key)) is { } secret)
                {
                    headers.Add((entry.Key, secret));
                }
            }
            else
            {
                headers.Add((entry.Key, EnvValue(entry)));
            }
        }

        return headers;
    }

    private EmailSettings? ReadEmail(Entry block)
    {
        string? host = null, from = null, caBundle = null;
        var to = new List<string>();
        var email = new EmailSettings("", "", []);
        foreach (Entry entry in ChannelEntries(block, ConfigSchema.NotifyEmail, SettingSection.Email))
        {
            switch (entry.Key)
            {
                case "host": host = Text(entry, ConfigSchema.EmailHost)?.Trim(); break;
                case "port":
                    if (WholeNumber(entry, ConfigSchema.EmailPort) is { } port)
                    {
                        if (port is < 1 or > 65535)
                        {
                            Invalid(entry, ConfigSchema.EmailPort, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            email = email with { Port = port };
                        }
                    }

                    break;
                case "starttls": email = email with { StartTls = Boolean(entry, ConfigSchema.EmailStartTls) ?? email.StartTls }; break;
                case "user": email = email with { User = Text(entry, ConfigSchema.EmailUser) is null ? null : EnvValue(entry) }; break;
                case "password": email = email with { Password = Secret(entry, ConfigSchema.EmailPassword, "SMTP_PASSWORD") }; break;
                case "from": from = Address(entry, ConfigSchema.EmailFrom); break;
                case "to":
                    foreach (Item item in Strings(entry, ConfigSchema.EmailTo, commaSeparated: true))
                    {
                        if (IsMailAddress(item.Text))
                        {
                            to.Add(item.Text.Trim());
                        }
                        else
                        {
                            Report(item.Node, item.Path, $"must be {ConfigSchema.EmailTo.Expects}, got {Quote(item.Text)}", ConfigSchema.EmailTo.FixFor(At(item.Node)));
                        }
                    }

                    break;
                case "ca_bundle":
                    caBundle = ResolvedPath(entry, ConfigSchema.EmailCaBundle);
                    if (caBundle is not null && !File.Exists(caBundle))
                    {
                        Report(entry.Value, entry.Path, $"names {caBundle}, which does not exist", $"{ConfigSchema.EmailCaBundle.FixFor(At(entry.Value))} ({ConfigSourceMap.RelativeBase(At(entry.Value))})");
                    }

                    break;
                case "verify_certificate": email = email with { VerifyCertificate = Boolean(entry, ConfigSchema.EmailVerifyCertificate) ?? email.VerifyCertificate }; break;
                case "on": email = email with { On = Events(entry, ConfigSchema.EmailOn) }; break;
                default: throw Unread(entry);
            }
        }

        bool complete = Required(block, host, ConfigSchema.EmailHost) & Required(block, from, ConfigSchema.EmailFrom) & Required(block, to.Count > 0 ? to : null, ConfigSchema.EmailTo);
        if (email.Password is not null && email.User is null)
        {
            Report(block.KeyNode, block.Path, "has password: but no user:", ConfigSchema.EmailUser.FixFor(At(block.KeyNode)));
        }

        // starttls: false is for a relay on this machine; anywhere else the login would cross the network in clear text.
        if (!email.StartTls && email.Password is not null && host is not null && !IsLoopback(host))
        {
            Report(block.KeyNode, block.Path, $"would send the SMTP password to {host} in clear text (starttls: false)",
                $"remove starttls: false and use the server's submission port ({EmailSettings.SubmissionPort}, STARTTLS); starttls: false is only for a relay on localhost");
        }

        return complete ? email with { Host = host!, From = from!, To = to, CaBundle = caBundle, Source = At(block.KeyNode) } : null;
    }

    private SmsSettings? ReadSms(Entry block)
    {
        EnvText? sid = null, token = null;
        string? from = null, baseUrl = null;
        NotifyOn? on = null;
        var to = new List<string>();
        foreach (Entry entry in ChannelEntries(block, ConfigSchema.NotifySms, SettingSection.Sms))
        {
            switch (entry.Key)
            {
                case "account_sid": sid = Text(entry, ConfigSchema.SmsAccountSid) is null ? null : EnvValue(entry); break;
                case "auth_token": token = Secret(entry, ConfigSchema.SmsAuthToken, "TWILIO_AUTH_TOKEN"); break;
                case "from": from = Text(entry, ConfigSchema.SmsFrom)?.Trim(); break;
                case "to":
                    foreach (Item item in Strings(entry, ConfigSchema.SmsTo, commaSeparated: true))
                    {
                        if (PhoneNumber().IsMatch(item.Text.Trim()))
                        {
                            to.Add(item.Text.Trim());
                        }
                        else
                        {
                            Report(item.Node, item.Path, $"must be {ConfigSchema.SmsTo.Expects}, got {Quote(item.Text)}", ConfigSchema.SmsTo.FixFor(At(item.Node)));
                        }
                    }

                    break;
                case "base_url":
                    baseUrl = Text(entry, ConfigSchema.SmsBaseUrl);
                    if (baseUrl is not null && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"))
                    {
                        Invalid(entry, ConfigSchema.SmsBaseUrl, Quote(baseUrl));
                        baseUrl = null;
                    }

                    break;
                case "on": on = Events(entry, ConfigSchema.SmsOn); break;
                default: throw Unread(entry);
            }
        }

        bool complete = Required(block, sid, ConfigSchema.SmsAccountSid) & Required(block, token, ConfigSchema.SmsAuthToken)
            & Required(block, from, ConfigSchema.SmsFrom) & Required(block, to.Count > 0 ? to : null, ConfigSchema.SmsTo);
        return complete
            ? new SmsSettings(sid!, token!, from!, to) { BaseUrl = baseUrl?.TrimEnd('/') ?? SmsSettings.TwilioBaseUrl, On = on, Source = At(block.KeyNode) }
            : null;
    }

    /// <summary>The settings of a channel's block; nothing when it is empty or not a mapping (reported).</summary>
    private IEnumerable<Entry> ChannelEntries(Entry block, Setting setting, SettingSection section) =>
        Block(block, setting) is { } map ? Settings(map, block.Path, section) : [];

    /// <summary>Whether a key the channel cannot work without was given; if not, says so at the channel's line.</summary>
    private bool Required(Entry block, object? value, Setting setting)
    {
        // A key that is there but unreadable has its own error already.
        if (value is null && block.Value is YamlMappingNode map && !HasKey(map, setting.Key) && !setting.Aliases.Any(a => HasKey(map, a)))
        {
            Report(block.KeyNode, block.Path, $"needs {setting.Key}:", setting.FixFor(At(block.KeyNode)));
        }

        return value is not null;
    }

    private static bool HasKey(YamlMappingNode map, string key) => map.Children.Keys.Any(k => k is YamlScalarNode { Value: var v } && v == key);

    /// <summary><c>on: [success, failure]</c>, or one of them; an empty list turns the channel off.</summary>
    private NotifyOn? Events(Entry entry, Setting setting)
    {
        if (entry.Value is YamlSequenceNode { Children.Count: 0 })
        {
            return NotifyOn.None;
        }

        NotifyOn? on = null;
        foreach (Item item in Strings(entry, setting, commaSeparated: true))
        {
            switch (item.Text.Trim().ToLowerInvariant())
            {
                case "success": on = (on ?? NotifyOn.None) | NotifyOn.Success; break;
                case "failure": on = (on ?? NotifyOn.None) | NotifyOn.Failure; break;
                case var other:
                    string fix = DidYouMean.Find(other, ["success", "failure"]) is { } meant ? $"did you mean `{meant}`? " : "";
                    Report(item.Node, item.Path, $"must be {setting.Expects}, got {Quote(item.Text)}", fix + setting.FixFor(At(item.Node)));
                    break;
            }
        }

        return on;
    }

    /// <summary>A value that must be a <c>${NAME}</c> reference: a literal would put the secret in the repository.</summary>
    private EnvText? Secret(Entry entry, Setting setting, string variable)
    {
        if (Text(entry, setting) is null)
        {
            return null;
        }

        EnvText value = EnvValue(entry);
        if (value.HasVariables)
        {
            return value;
        }

        Report(entry.Value, entry.Path, "is a secret written in berth.yml, which is committed with your code",
            $"move it to the env file: write `{entry.Key}: ${{{variable}}}` here and the line {variable}=… in {NotifySettings.DefaultEnvFile} " +
            "next to berth.yml (or the file env_file: names), and list that file in .gitignore; if it was ever committed, revoke it and make a new one");
        return null;
    }

    /// <summary>A value that may hold <c>${NAME}</c> references; a <c>${</c> that is not one is reported.</summary>
    private EnvText EnvValue(Entry entry)
    {
        string text = ((YamlScalarNode)entry.Value).Value!.Trim();
        var value = new EnvText(text, At(entry.Value), Name(entry.Path));
        if (CountOf(text, "${") != value.Variables.Count || CountOf(text, "$") != value.Variables.Count)
        {
            Report(entry.Value, entry.Path, $"{Quote(text)} has a $ that is not a ${{NAME}} reference",
                "write references as ${NAME}, NAME being letters, digits and underscores (a literal $ cannot be written here)");
        }

        return value;
    }

    private string? Address(Entry entry, Setting setting)
    {
        if (Text(entry, setting)?.Trim() is not { } text)
        {
            return null;
        }

        if (IsMailAddress(text))
        {
            return text;
        }

        Invalid(entry, setting, Quote(text));
        return null;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? address) && System.Net.IPAddress.IsLoopback(address));

    private static bool IsMailAddress(string text) => System.Net.Mail.MailAddress.TryCreate(text.Trim(), out System.Net.Mail.MailAddress? address) && address.Address == text.Trim();

    /// <summary><c>~/x</c> as the shell means it, for <c>env_file: ~/.config/berth/app.env</c>.</summary>
    private static string HomePath(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]) : path;

    /// <summary>An env variable name suggested for a header: X-Api-Key → DEPLOY_WEBHOOK_X_API_KEY.</summary>
    private static string VariableFor(string header) => "DEPLOY_WEBHOOK_" + Regex.Replace(header.ToUpperInvariant(), "[^A-Z0-9]+", "_").Trim('_');

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    // E.164: a plus, then up to 15 digits, the first not 0.
    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex PhoneNumber();
}
