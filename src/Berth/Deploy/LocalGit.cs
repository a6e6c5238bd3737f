using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Deploy;

/// <summary>
/// The git CLI on the developer's machine: the target commit is resolved here, once, before any host is
/// touched, so every host gets the same commit and a missing branch stops the run in preflight. Archives
/// for hosts that cannot reach the repository are made here too.
/// </summary>
public static class LocalGit
{
    /// <summary>The commit that <c>revision:</c> (a tag or commit) or else <c>branch:</c> names in the repository.</summary>
    /// <exception cref="DeployException">The ref does not exist, or git cannot read the repository.</exception>
    public static async Task<string> ResolveAsync(string repository, string branch, string? revision, CancellationToken cancellationToken)
    {
        string wanted = revision ?? branch;
        string[] refs = revision is null
            ? [$"refs/heads/{branch}"]
            : [$"refs/tags/{revision}", $"refs/tags/{revision}^{{}}", $"refs/heads/{revision}"];
        RemoteResult listed = await RunAsync(null, ["ls-remote", repository, .. refs], cancellationToken).ConfigureAwait(false);
        if (!listed.Succeeded)
        {
            throw new DeployException($"git cannot read the repository {repository}: {listed.LastLine()}",
                "check deploy.repository: and that `git ls-remote` of it works on this machine (key, network, path)");
        }

        // A peeled annotated tag (^{}) names the commit; the tag object itself does not.
        string[][] lines = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Where(l => l.Length == 2).ToArray();
        string? commit = lines.FirstOrDefault(l => l[1].EndsWith("^{}", StringComparison.Ordinal))?[0] ?? lines.FirstOrDefault()?[0];
        if (commit is not null)
        {
            return commit;
        }

        if (revision is not null && IsHex(revision))
        {
            if (revision.Length == 40)
            {
                return revision.ToLowerInvariant();
            }

            if (Directory.Exists(repository))
            {
                RemoteResult parsed = await RunAsync(repository, ["rev-parse", "--verify", "--quiet", $"{revision}^{{commit}}"], cancellationToken).ConfigureAwait(false);
                if (parsed.Succeeded)
                {
                    return parsed.Stdout.Trim();
                }
            }
        }

        throw revision is null
            ? new DeployException($"the branch '{branch}' does not exist in {repository}", $"push it (git push origin {branch}), or set deploy.branch: to a branch that exists")
            : new DeployException($"the revision '{wanted}' is not a tag, branch or commit of {repository}", "push the tag, or give the full 40-character commit in deploy.revision:");
    }

    /// <summary>Writes <c>git archive</c> of <paramref name="commit"/> as a tar file, from the repository itself when it
    /// is a local path, else from a mirror cached under ~/.cache/berth/git.</summary>
    public static async Task ArchiveAsync(string repository, string commit, string tarPath, CancellationToken cancellationToken)
    {
        string source = repository;
        if (!Directory.Exists(repository))
        {
            string cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "berth", "git",
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository)))[..16]);
            RemoteResult fetched = Directory.Exists(cache)
                ? await RunAsync(cache, ["fetch", "--prune", "origin", "+refs/*:refs/*"], cancellationToken).ConfigureAwait(false)
                : await RunAsync(null, ["clone", "--mirror", "--quiet", repository, cache], cancellationToken).ConfigureAwait(false);
            if (!fetched.Succeeded)
            {
                throw new DeployException($"could not fetch {repository} on this machine to upload it: {fetched.LastLine()}", "check that `git clone` of it works here");
            }

            source = cache;
        }

        RemoteResult archived = await RunAsync(source, ["archive", "--format=tar", "-o", tarPath, commit], cancellationToken).ConfigureAwait(false);
        if (!archived.Succeeded)
        {
            throw new DeployException($"git archive of {ReleaseId.ShortRevision(commit)} failed: {archived.LastLine()}", "check that the commit exists in the repository");
        }
    }

    private static bool IsHex(string text) => text.Length >= 7 && text.All(char.IsAsciiHexDigit);

    private static async Task<RemoteResult> RunAsync(string? gitDir, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (gitDir is not null)
        {
            start.ArgumentList.Add("-C");
            start.ArgumentList.Add(gitDir);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Never a prompt for a password or a host key: berth runs unattended (CI) as often as by hand.
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        if (Environment.GetEnvironmentVariable("GIT_SSH_COMMAND") is null)
        {
            start.Environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        }
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DeployException($"could not start git: {e.Message}", "install git on this machine (apt-get install git), or put it on PATH");
        }

        using Process git = started ?? throw new DeployException("could not start git", "install git on this machine (apt-get install git), or put it on PATH");
        Task<string> stdout = git.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = git.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await git.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            git.Kill(entireProcessTree: true);
            throw;
        }

        return new RemoteResult(git.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
