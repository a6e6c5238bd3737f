namespace Berth.Config;

/// <summary>
/// The files <c>deploy:</c> names on this machine must exist before a deploy starts: <c>berth check</c> and the
/// deploy's preflight ask here. Not a validator: <c>berth serve</c> reads the same berth.yml on machines that
/// never hold the production env file or the deploy key, and must not refuse to start for their absence.
/// </summary>
public static class DeployFiles
{
    public static IEnumerable<ConfigError> Check(BerthConfig config)
    {
        if (config.Deploy is not { } deploy)
        {
            yield break;
        }

        (string Key, string? Path, string Fix)[] files =
        [
            ("deploy.env_file", deploy.EnvFile, "create it with your app's NAME=value lines (and list it in .gitignore), or correct the path"),
            ("deploy.ssh.identity_file", deploy.Ssh.IdentityFile, "make the key with `ssh-keygen -t ed25519 -f PATH` and give its .pub to the host (docs/deploy.md, section 2), or correct the path"),
            ("deploy.berth_binary", deploy.BerthBinary, "publish one with `dotnet publish src/Berth -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -o DIR`, or correct the path"),
        ];
        foreach ((string key, string? path, string fix) in files)
        {
            if (path is not null && !File.Exists(path))
            {
                SourceSpan at = config.SourceMap.Locate(key, deploy.Source).Source;
                yield return config.SourceMap.Error(key, deploy.Source, Directory.Exists(path) ? $"{path} is a directory, not a file" : $"{path} does not exist",
                    $"{fix} ({ConfigSourceMap.RelativeBase(at)}, ~ is your home directory)");
            }
        }

        // A local repository is a directory (a checkout or a bare one); a URL or host:path is for git to reach.
        if (deploy.Repository.StartsWith('/') && !Directory.Exists(deploy.Repository))
        {
            yield return config.SourceMap.Error("deploy.repository", deploy.Source, $"{deploy.Repository} does not exist",
                "name the repository as you would give it to `git clone`: a URL, git@host:path, or a local directory that exists");
        }
    }
}
