using System.Diagnostics;
using Berth.Config;

namespace Berth.Deploy.Notify;

/// <summary>
/// Where <c>${NAME}</c> references in berth.yml get their values on the developer's machine: the process
/// environment first (so CI can inject secrets), then the local env file of NAME=value lines. The env file
/// sits next to berth.yml, so it must be git-ignored: a file git would commit is refused before any secret
/// is read from it.
/// </summary>
public sealed class SecretSource
{
    private readonly string _envFile;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<string, string> _file;
    private readonly string? _fileProblem;

    private SecretSource(string envFile, Func<string, string?> environment, Dictionary<string, string> file, string? fileProblem)
    {
        _envFile = envFile;
        _environment = environment;
        _file = file;
        _fileProblem = fileProblem;
    }

    /// <param name="envFile">The env file (absolute); a missing file is no error until a reference needs it.</param>
    /// <param name="environment">The process environment; tests pass their own.</param>
    public static SecretSource Load(string envFile, Func<string, string?>? environment = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? problem = null;
        if (File.Exists(envFile))
        {
            problem = GitWouldCommit(envFile);
            if (problem is null)
            {
                problem = EnvFile.Parse(File.ReadAllLines(envFile), values);
            }
        }

        return new SecretSource(envFile, environment ?? Environment.GetEnvironmentVariable, values, problem);
    }

    /// <summary><paramref name="text"/> with its references replaced, or the error naming the variable that is
    /// missing and where it was looked for.</summary>
    public string Resolve(EnvText text)
    {
        return EnvReference.Expand(text.Text, name =>
        {
            if (_environment(name) is { Length: > 0 } fromEnvironment)
            {
                return fromEnvironment;
            }

            if (_fileProblem is not null)
            {
                throw new NotifyException($"{text.Source}: {text.Key}: ${{{name}}} cannot be read: {_fileProblem}",
                    $"fix {_envFile}, or export {name} in the environment");
            }

            if (_file.TryGetValue(name, out string? fromFile) && fromFile.Length > 0)
            {
                return fromFile;
            }

            string where = File.Exists(_envFile) ? $"{_envFile} has no {name}= line" : $"{_envFile} does not exist";
            throw new NotifyException($"{text.Source}: {text.Key}: ${{{name}}} is not set: it is not in the environment and {where}",
                $"add the line {name}=… to {_envFile} (list that file in .gitignore, chmod 600), or export {name} before running berth");
        });
    }

    /// <summary>Every reference of <paramref name="settings"/> resolved once, so preflight reports a missing
    /// secret before the deploy starts rather than after it ends. Empty when all are there.</summary>
    public IReadOnlyList<string> Check(NotifySettings settings)
    {
        var problems = new List<string>();
        foreach (EnvText text in settings.Channels.SelectMany(References))
        {
            try
            {
                Resolve(text);
            }
            catch (NotifyException e)
            {
                problems.Add(e.ToString());
            }
        }

        return problems;
    }

    internal static IEnumerable<EnvText> References(NotifyChannelSettings channel) => channel switch
    {
        SlackSettings slack => [slack.Url],
        WebhookSettings hook => [hook.Url, .. hook.Headers.Select(h => h.Value)],
        EmailSettings email => new[] { email.User, email.Password }.OfType<EnvText>(),
        SmsSettings sms => [sms.AccountSid, sms.AuthToken],
        _ => [],
    };

    /// <summary>Why git would commit <paramref name="path"/> (it is tracked, or not ignored), or null when it
    /// would not or the file is outside any repository.</summary>
    private static string? GitWouldCommit(string path)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(path)! };
        foreach (string arg in new[] { "check-ignore", "-q", "--", path })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using Process git = Process.Start(start)!;
            git.WaitForExit();
            // check-ignore: 0 ignored, 1 not ignored (or tracked), 128 not a repository.
            return git.ExitCode == 1
                ? $"{path} is inside a git repository and not git-ignored, so its secrets would be committed; add {Path.GetFileName(path)} to .gitignore (and `git rm --cached` it if it was added)"
                : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine: nothing can commit the file from here
        }
    }
}
