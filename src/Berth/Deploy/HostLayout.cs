namespace Berth.Deploy;

/// <summary>
/// Where everything lives under <c>deploy: path:</c> on a host (DESIGN.md, "On-disk layout on a deployed
/// server"). One place, so the steps, the lock, <c>berth releases</c> and <c>berth rollback</c> agree on it.
/// </summary>
public sealed record HostLayout(string Root)
{
    public string Repo => $"{Root}/repo";
    public string Releases => $"{Root}/releases";
    public string Shared => $"{Root}/shared";
    public string Venvs => $"{Root}/shared/venvs";
    public string EnvFile => $"{Root}/shared/.env";
    public string Current => $"{Root}/current";
    public string Bin => $"{Root}/bin";
    public string BerthBinary => $"{Root}/bin/berth";
    public string DeployDir => $"{Root}/.deploy";
    public string Lock => $"{Root}/.deploy/lock";
    public string LockOwner => $"{Root}/.deploy/lock/owner";
    public string History => $"{Root}/.deploy/releases.jsonl";
    public string ServerConfig => $"{Root}/.deploy/berth.yml";
    public string PidFile => $"{Root}/.deploy/berth.pid";
    public string LogFile => $"{Root}/.deploy/berth.log";

    /// <summary>The daemon's control socket, beside its pid file rather than the shared /tmp/berth, so two apps
    /// deployed to one host never answer each other's <c>berth reload</c>.</summary>
    public string ControlSocket => $"{Root}/.deploy/control.sock";

    public string Release(string id) => $"{Root}/releases/{id}";

    /// <summary>Written last into a release: the commit it holds (Capistrano's REVISION file), so a re-run can
    /// tell the live release's commit without a git call.</summary>
    public string RevisionFile(string id) => $"{Root}/releases/{id}/REVISION";

    public string Venv(string hash) => $"{Root}/shared/venvs/{hash}";

    /// <summary>The step log of a release that failed, kept beside its code.</summary>
    public string ReleaseLog(string id) => $"{Root}/releases/{id}/.deploy.log";

    /// <summary>The release id <c>current</c> names, from its link target (<c>releases/&lt;id&gt;</c>).</summary>
    public static string? ReleaseIdOf(string? currentTarget) =>
        string.IsNullOrEmpty(currentTarget) ? null : currentTarget.TrimEnd('/').Split('/')[^1];
}
