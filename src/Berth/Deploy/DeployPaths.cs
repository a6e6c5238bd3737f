namespace Berth.Deploy;

/// <summary>
/// Where everything is under <c>deploy: path:</c> on a host (DESIGN.md, "On-disk layout"), named once so that
/// the steps' scripts, <c>berth releases</c>, <c>berth logs</c>, the served config and the systemd unit agree:
/// <code>
/// {path}/repo/                  git mirror
/// {path}/releases/&lt;id&gt;/         one checkout per deploy (.venv -> ../../shared/venvs/&lt;hash&gt;, REVISION, .deploy.log when it failed)
/// {path}/shared/                data that survives deploys; .env (0600); venvs/&lt;hash&gt;/ with a .complete marker
/// {path}/current -> releases/&lt;id&gt;
/// {path}/bin/berth              the self-contained berth the host runs
/// {path}/.deploy/               lock/ (owner), releases.jsonl, berth.yml, berth.pid, berth.log, control.sock
/// </code>
/// Host paths are POSIX paths whatever the local system, so they are joined with '/', never Path.Combine. Scripts
/// take them as arguments or quoted words, never spelled again; where a script lists what is there, it is given a
/// pattern made from these members with <c>*</c> for the name (<see cref="ShellQuote.Pattern"/>).
/// </summary>
public sealed record DeployPaths(string Root)
{
    /// <summary>The name of the env file in shared/ and of its link in every release, where the app reads it.</summary>
    public const string EnvFileName = ".env";

    public string Repo => Root + "/repo";

    public string Releases => Root + "/releases";

    public string Shared => Root + "/shared";

    /// <summary>The app's environment, uploaded from deploy: env_file: and given to the workers (apps' env_file:).</summary>
    public string SharedEnvFile => Shared + "/" + EnvFileName;

    public string Venvs => Shared + "/venvs";

    /// <summary>The symlink the switch re-points; everything served comes through it.</summary>
    public string Current => Root + "/current";

    /// <summary>The venv of the live release, as the served config names it.</summary>
    public string CurrentVenv => VenvLinkIn(Current);

    /// <summary>The commit the live release holds.</summary>
    public string CurrentRevisionFile => RevisionFileIn(Current);

    public string Bin => Root + "/bin";

    public string BerthBinary => Bin + "/berth";

    /// <summary>berth's own state on the host.</summary>
    public string State => Root + "/.deploy";

    /// <summary>Taken with mkdir, which is atomic: only one deploy at a time.</summary>
    public string Lock => State + "/lock";

    public string LockOwner => Lock + "/owner";

    /// <summary>One <see cref="ReleaseRecord"/> a line (<see cref="ReleaseHistory"/>).</summary>
    public string History => State + "/releases.jsonl";

    /// <summary>The berth.yml the host serves (<see cref="ServerConfigRenderer"/>).</summary>
    public string ServedConfig => State + "/berth.yml";

    /// <summary>berth serve's pid and log in daemon mode, where systemd does not run.</summary>
    public string PidFile => State + "/berth.pid";

    public string LogFile => State + "/berth.log";

    /// <summary>The daemon's control socket, beside its pid file rather than the shared /tmp/berth, so two apps
    /// deployed to one host never answer each other's <c>berth reload</c>.</summary>
    public string ControlSocket => State + "/control.sock";

    /// <summary>The directories of the layout, which the first deploy creates owned by the ssh user.</summary>
    public IReadOnlyList<string> Directories => [Root, Repo, Releases, Shared, Venvs, State, Bin];

    /// <summary>A file on its way in (an archive of the code, a systemd unit): uploaded here, then extracted or installed.</summary>
    public string Staged(string fileName) => State + "/" + fileName;

    public string Release(string id) => Releases + "/" + id;

    /// <summary>The step log a failed release keeps.</summary>
    public string ReleaseLog(string id) => Release(id) + "/.deploy.log";

    /// <summary>Written last into a release: the commit it holds (Capistrano's REVISION file), so a re-run can
    /// tell the live release's commit without a git call.</summary>
    public string RevisionFile(string id) => RevisionFileIn(Release(id));

    /// <summary>The release's link to its venv; the hooks and the smoke test run its Python.</summary>
    public string ReleaseVenv(string id) => VenvLinkIn(Release(id));

    /// <summary>What <c>current</c> holds: relative, so the layout reads the same from any mount point.</summary>
    public string CurrentTarget(string id) => FromRoot(Release(id));

    /// <summary>The virtualenv keyed by <paramref name="hash"/> (requirements and Python version).</summary>
    public string Venv(string hash) => Venvs + "/" + hash;

    /// <summary>What a release's <c>.venv</c> holds: relative (a release is two levels below the root), like <see cref="CurrentTarget"/>.</summary>
    public string VenvTarget(string hash) => "../../" + FromRoot(Venv(hash));

    /// <summary>Written into a venv's directory only once pip succeeded; a venv without it is half built.</summary>
    public string VenvComplete(string hash) => Venv(hash) + "/.complete";

    /// <summary>A path of the layout as written relative to the root (<c>releases/&lt;id&gt;</c>, <c>bin/</c>).</summary>
    public string FromRoot(string path) => path[(Root.Length + 1)..];

    /// <summary>The last name of a link's target: the release id <c>current</c> points at (<c>releases/&lt;id&gt;</c>),
    /// the venv hash a release's <c>.venv</c> points at (<c>../../shared/venvs/&lt;hash&gt;</c>).</summary>
    public static string? TargetName(string? linkTarget) =>
        string.IsNullOrEmpty(linkTarget) ? null : linkTarget.TrimEnd('/').Split('/')[^1];

    // What every release directory holds, reached through releases/<id> or through current.
    private static string VenvLinkIn(string release) => release + "/.venv";

    private static string RevisionFileIn(string release) => release + "/REVISION";
}
