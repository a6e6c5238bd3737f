using Berth.Config;
using YamlDotNet.RepresentationModel;

namespace Berth.Tests.Config;

/// <summary>deploy: notify: as the deploy reader hands it over: channels, on:, env_file:, and secrets only as references.</summary>
public sealed class NotifyConfigTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    [Fact]
    public void Every_channel_is_read_with_its_defaults()
    {
        NotifySettings notify = Valid("""
            deploy:
              notify:
                on: [success, failure]
                timeout: 5s
                slack:
                  url: ${SLACK_WEBHOOK_URL}
                webhook:
                  url: ${DEPLOY_WEBHOOK_URL}
                  headers: { Authorization: "Bearer ${DEPLOY_WEBHOOK_TOKEN}", X-Source: berth }
                email:
                  host: smtp.example.com
                  user: deploy@example.com
                  password: ${SMTP_PASSWORD}
                  from: deploy@example.com
                  to: [ops@example.com, dev@example.com]
                sms:
                  account_sid: ${TWILIO_ACCOUNT_SID}
                  auth_token: ${TWILIO_AUTH_TOKEN}
                  from: "+15005550006"
                  to: "+15551234567"
                  on: [failure]
            """);

        Assert.Equal(NotifyOn.Both, notify.On);
        Assert.Equal(TimeSpan.FromSeconds(5), notify.Timeout);
        Assert.Equal(Path.Combine(_files.Root, ".env.deploy"), notify.EnvFile);
        Assert.Equal(["SLACK_WEBHOOK_URL"], notify.Slack!.Url.Variables);
        Assert.Equal([("Authorization", "Bearer ${DEPLOY_WEBHOOK_TOKEN}"), ("X-Source", "berth")], notify.Webhook!.Headers.Select(h => (h.Name, h.Value.Text)));
        EmailSettings email = notify.Email!;
        Assert.Equal(("smtp.example.com", 587, true, true), (email.Host, email.Port, email.StartTls, email.VerifyCertificate));
        Assert.Equal(["ops@example.com", "dev@example.com"], email.To);
        Assert.Equal("SMTP_PASSWORD", Assert.Single(email.Password!.Variables));
        Assert.Equal(new SourceSpan("berth.yml", 13), email.Password.Source);
        SmsSettings sms = notify.Sms!;
        Assert.Equal(("https://api.twilio.com", "+15005550006", "+15551234567"), (sms.BaseUrl, sms.From, Assert.Single(sms.To)));
        Assert.False(notify.Wants(sms, succeeded: true));
        Assert.True(notify.Wants(sms, succeeded: false));
        Assert.True(notify.Wants(notify.Slack, succeeded: true));
    }

    [Fact]
    public void A_password_written_in_berth_yml_is_refused_with_the_move_to_make()
    {
        ConfigError error = OneError("""
            deploy:
              notify:
                email:
                  host: smtp.example.com
                  user: deploy@example.com
                  password: hunter2
                  from: deploy@example.com
                  to: ops@example.com
            """, line: 6, key: "deploy.notify.email.password");

        Assert.Contains("secret written in berth.yml", error.Message, StringComparison.Ordinal);
        Assert.Contains("password: ${SMTP_PASSWORD}", error.Fix, StringComparison.Ordinal);
        Assert.Contains(".env.deploy", error.Fix, StringComparison.Ordinal);
        Assert.Contains(".gitignore", error.Fix, StringComparison.Ordinal);
    }

    /// <summary>A file with one mistake, where it is, and what the fix must say.</summary>
    public static TheoryData<string, int, string, string> Mistakes => new()
    {
        // A webhook URL holds its token: it is a secret like a password.
        { "deploy:\n  notify:\n    slack: { url: \"https://hooks.slack.com/services/T000/B000/XXXX\" }", 3, "deploy.notify.slack.url", "${SLACK_WEBHOOK_URL}" },
        // A credential header must be a reference; X-Source may stay literal.
        { "deploy:\n  notify:\n    webhook:\n      url: ${HOOK}\n      headers: { X-Source: berth, X-Api-Key: abc123 }", 5, "deploy.notify.webhook.headers[X-Api-Key]", "${DEPLOY_WEBHOOK_X_API_KEY}" },
        { "deploy:\n  notify:\n    on: [sucess]\n    slack: { url: \"${SLACK}\" }", 3, "deploy.notify.on[0]", "did you mean `success`?" },
        { "deploy:\n  notify:\n    slak: { url: \"${SLACK}\" }\n    webhook: { url: \"${HOOK}\" }", 3, "deploy.notify.slak", "did you mean `slack`?" },
        // The password would cross the network in clear text; starttls: false is for a relay on localhost only.
        { "deploy:\n  notify:\n    email:\n      host: smtp.example.com\n      starttls: false\n      user: me\n      password: ${P}\n      from: a@example.com\n      to: b@example.com", 3, "deploy.notify.email", "submission port (587, STARTTLS)" },
        // Another tool's name for a key is translated, and the key it stands for is not also reported missing.
        { "deploy:\n  notify:\n    sms: { account_sid: \"${SID}\", token: \"${TOKEN}\", from: \"+15005550006\", to: [\"+15551234567\"] }", 3, "deploy.notify.sms.token", "`auth_token`" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_is_reported_at_its_line_with_a_fix(string yaml, int line, string key, string fix)
    {
        Assert.Contains(fix, OneError(yaml, line, key).Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_missing_what_it_needs_says_which_key()
    {
        ConfigError error = OneError("""
            deploy:
              notify:
                email:
                  host: smtp.example.com
                  to: ops@example.com
            """, line: 3, key: "deploy.notify.email");

        Assert.Equal("needs from:", error.Message);
    }

    [Fact]
    public void Phone_numbers_must_be_e164()
    {
        OneError("""
            deploy:
              notify:
                sms: { account_sid: "${SID}", auth_token: "${TOKEN}", from: "+15005550006", to: "555-1234" }
            """, line: 3, key: "deploy.notify.sms.to[0]");
    }

    [Fact]
    public void A_notify_section_without_channels_is_reported()
    {
        OneError("""
            deploy:
              notify:
                on: [failure]
            """, line: 2, key: "deploy.notify");
    }

    [Fact]
    public void The_env_file_may_live_in_the_home_directory()
    {
        NotifySettings notify = Valid("""
            deploy:
              notify:
                env_file: ~/.config/berth/shop.env
                slack: { url: "${SLACK}", on: [] }
            """);

        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config/berth/shop.env"), notify.EnvFile);
        Assert.False(notify.Wants(notify.Slack!, succeeded: false));
    }

    [Fact]
    public void Notify_words_are_not_suggested_in_other_blocks()
    {
        // `host` in an app is nginx's habit for a site's names, not the mail server of deploy.notify.email.
        Assert.Contains("`hosts`", UnknownKeyAdvice.For("host", SettingSection.App), StringComparison.Ordinal);
    }

    private NotifySettings Valid(string yaml)
    {
        (NotifySettings notify, IReadOnlyList<ConfigError> errors) = Read(yaml);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return notify;
    }

    private ConfigError OneError(string yaml, int line, string key)
    {
        ConfigError error = Assert.Single(Read(yaml).Errors);
        Assert.Equal(new SourceSpan("berth.yml", line), error.Source);
        Assert.Equal(key, error.Key);
        Assert.NotEmpty(error.Fix);
        return error;
    }

    /// <summary>The notify node read the way the deploy reader hands it over.</summary>
    private (NotifySettings Notify, IReadOnlyList<ConfigError> Errors) Read(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var deploy = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("deploy")];
        KeyValuePair<YamlNode, YamlNode> notify = deploy.Children.Single(c => ((YamlScalarNode)c.Key).Value == "notify");
        var reader = new ConfigReader("berth.yml", _files.Root);
        NotifySettings settings = reader.ReadNotify("deploy.notify", notify.Key, notify.Value);
        return (settings, reader.Errors);
    }

    public void Dispose() => _files.Dispose();
}
