using System.Diagnostics;
using Berth.Config;
using Berth.Deploy.Notify;
using Berth.Tests.Config;

namespace Berth.Tests.Deploy.Notify;

/// <summary>${NAME} comes from the environment, then the local env file; a missing one says where it was looked for.</summary>
public sealed class SecretSourceTests : IDisposable
{
    private readonly ConfigFixture _files = new();
    private readonly Dictionary<string, string> _environment = [];

    [Fact]
    public void References_are_filled_from_the_env_file_with_quotes_comments_and_export()
    {
        string file = _files.File(".env.deploy", """
            # secrets for deploy notifications
            SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T/B/x
            export SMTP_PASSWORD="pass word # not a comment"
            TOKEN='abc'
            """);

        SecretSource secrets = SecretSource.Load(file, Lookup);

        Assert.Equal("https://hooks.slack.com/services/T/B/x", secrets.Resolve(Text("${SLACK_WEBHOOK_URL}")));
        Assert.Equal("pass word # not a comment", secrets.Resolve(Text("${SMTP_PASSWORD}")));
        Assert.Equal("Bearer abc", secrets.Resolve(Text("Bearer ${TOKEN}")));
    }

    [Fact]
    public void The_environment_wins_over_the_file()
    {
        string file = _files.File(".env.deploy", "TOKEN=from-file\n");
        _environment["TOKEN"] = "from-ci";

        Assert.Equal("from-ci", SecretSource.Load(file, Lookup).Resolve(Text("${TOKEN}")));
    }

    [Fact]
    public void A_missing_variable_is_named_with_where_it_was_looked_for_and_the_fix()
    {
        string file = _files.File(".env.deploy", "OTHER=1\n");

        NotifyException error = Assert.Throws<NotifyException>(() => SecretSource.Load(file, Lookup).Resolve(Text("${SMTP_PASSWORD}")));

        Assert.Equal($"berth.yml:7: deploy.notify.email.password: ${{SMTP_PASSWORD}} is not set: it is not in the environment and {file} has no SMTP_PASSWORD= line", error.Message);
        Assert.Contains($"add the line SMTP_PASSWORD=… to {file}", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_env_file_is_said_so()
    {
        string file = Path.Combine(_files.Root, ".env.deploy");

        NotifyException error = Assert.Throws<NotifyException>(() => SecretSource.Load(file, Lookup).Resolve(Text("${X}")));

        Assert.Contains($"{file} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_env_file_git_would_commit_is_refused()
    {
        Git("init", "-q");
        string file = _files.File(".env.deploy", "TOKEN=abc\n");

        NotifyException error = Assert.Throws<NotifyException>(() => SecretSource.Load(file, Lookup).Resolve(Text("${TOKEN}")));
        Assert.Contains("not git-ignored", error.Message, StringComparison.Ordinal);
        Assert.Contains(".gitignore", error.Message, StringComparison.Ordinal);

        _files.File(".gitignore", ".env.deploy\n");
        Assert.Equal("abc", SecretSource.Load(file, Lookup).Resolve(Text("${TOKEN}")));
    }

    [Fact]
    public void Check_lists_every_missing_secret_before_the_deploy_starts()
    {
        var notify = new NotifySettings
        {
            EnvFile = _files.File(".env.deploy", "SLACK=https://x\n"),
            Slack = new SlackSettings(Text("${SLACK}")),
            Sms = new SmsSettings(Text("${SID}"), Text("${TOKEN}"), "+15005550006", ["+15551234567"]),
        };

        IReadOnlyList<string> problems = SecretSource.Load(notify.EnvFile, Lookup).Check(notify);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("${SID}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("${TOKEN}", StringComparison.Ordinal));
    }

    private string? Lookup(string name) => _environment.GetValueOrDefault(name);

    private static EnvText Text(string text) => new(text, new SourceSpan("berth.yml", 7), "deploy.notify.email.password");

    private void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _files.Root };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process git = Process.Start(start)!;
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
    }

    public void Dispose() => _files.Dispose();
}
