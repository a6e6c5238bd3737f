using System.Text;

namespace Berth.Deploy;

/// <summary>
/// Everything the steps' detectors need to know about a host, gathered by one remote <c>sh</c> in preflight:
/// a re-run with nothing to do then costs a handful of round trips (facts, lock, health check, unlock) instead
/// of one per step, which is what keeps it near a second (issue 6, item 8). Each line the script prints is
/// <c>key=value</c>; multi-line values (the history, the requirements) travel base64-encoded.
/// </summary>
public sealed record HostFacts
{
    /// <summary>Directories under the deploy path that exist, with their owner.</summary>
    public IReadOnlyDictionary<string, string> Directories { get; init; } = new Dictionary<string, string>();
    public bool HasMirror { get; init; }
    public string? CurrentTarget { get; init; }
    public string? CurrentRevision { get; init; }
    public string? CurrentVenvTarget { get; init; }
    public byte[]? CurrentRequirements { get; init; }
    public IReadOnlySet<string> CompleteVenvs { get; init; } = new HashSet<string>();
    public string? BerthSha { get; init; }
    public string? ServerConfigSha { get; init; }
    public string? EnvSha { get; init; }
    public string? UnitSha { get; init; }
    public string PythonVersion { get; init; } = "";
    public bool Systemd { get; init; }
    public bool ServiceActive { get; init; }
    public int? DaemonPid { get; init; }
    public IReadOnlyList<string> Releases { get; init; } = [];
    public string? LockOwner { get; init; }
    public IReadOnlyList<string> MissingPackages { get; init; } = [];

    /// <summary>Where each <c>shared:</c> path of the live release points (null: not a link).</summary>
    public IReadOnlyDictionary<string, string?> SharedLinks { get; init; } = new Dictionary<string, string?>();
    public bool ServiceUserExists { get; init; } = true;
    public string History { get; init; } = "";

    public string? CurrentRelease => DeployPaths.TargetName(CurrentTarget);

    /// <summary>What to ask: the deploy settings' names that the script checks.</summary>
    public sealed record Query(
        DeployPaths Layout,
        string Python,
        string Requirements,
        IReadOnlyList<string> Packages,
        IReadOnlyList<string> Shared,
        string ServiceUser,
        string UnitPath);

    /// <summary>The one script, with every name quoted into it (it is data, and tested as a string).</summary>
    public static RemoteCommand Command(Query q)
    {
        DeployPaths l = q.Layout;
        static string W(string word) => ShellQuote.Word(word);
        List<string> script =
        [
            $"for d in {string.Join(' ', l.Directories.Select(W))}; do [ -d \"$d\" ] && echo \"dir=$(stat -c %U \"$d\") $d\"; done",
            $"[ -f {W(l.Repo)}/HEAD ] && echo mirror=1",
            $"echo \"current=$(readlink {W(l.Current)} 2>/dev/null)\"",
            $"[ -f {W(l.CurrentRevisionFile)} ] && echo \"current_revision=$(cat {W(l.CurrentRevisionFile)})\"",
            $"echo \"current_venv=$(readlink {W(l.CurrentVenv)} 2>/dev/null)\"",
            $"r={W(l.Current + "/" + q.Requirements)}; [ -f \"$r\" ] && echo \"current_requirements=$(base64 -w0 \"$r\")\"",
            $"for v in {ShellQuote.Pattern(l.VenvComplete("*"))}; do [ -f \"$v\" ] && echo \"venv=$(basename \"$(dirname \"$v\")\")\"; done",
            "sha() { [ -f \"$2\" ] && echo \"$1=$(sha256sum \"$2\" | cut -d' ' -f1)\"; }",
            $"sha berth {W(l.BerthBinary)}; sha config {W(l.ServedConfig)}; sha env {W(l.SharedEnvFile)}; sha unit {W(q.UnitPath)}",
            $"echo \"python=$({W(q.Python)} --version 2>&1)\"",
            $"[ -d /run/systemd/system ] && echo systemd=1 && systemctl is-active --quiet {W(Path.GetFileName(q.UnitPath))} && echo service_active=1",
            $"pid=$(cat {W(l.PidFile)} 2>/dev/null) && kill -0 \"$pid\" 2>/dev/null && echo \"daemon=$pid\"",
            $"for r in {ShellQuote.Pattern(l.Release("*") + "/")}; do [ -d \"$r\" ] && echo \"release=$(basename \"$r\")\"; done",
            $"[ -d {W(l.Lock)} ] && echo \"lock=$(tr '\\n' ' ' < {W(l.LockOwner)} 2>/dev/null)\"",
            $"[ -f {W(l.History)} ] && echo \"history=$(base64 -w0 {W(l.History)})\"",
            $"id -u {W(q.ServiceUser)} >/dev/null 2>&1 || echo no_service_user=1",
        ];
        script.AddRange(q.Packages.Select(W).Select(p => $"dpkg-query -W -f='${{Status}}' {p} 2>/dev/null | grep -q 'ok installed' || echo missing_package={p}"));
        script.AddRange(q.Shared.Select(s => s.TrimEnd('/')).Select(path => $"printf 'shared=%s %s\\n' {W(path)} \"$(readlink {W(l.Current + "/" + path)} 2>/dev/null)\""));
        script.Add("true");
        return RemoteCommand.Of("sh", "-c", string.Join('\n', script) + "\n");
    }

    public static HostFacts Parse(string stdout)
    {
        var dirs = new Dictionary<string, string>(StringComparer.Ordinal);
        var venvs = new HashSet<string>(StringComparer.Ordinal);
        var releases = new List<string>();
        var missing = new List<string>();
        var shared = new Dictionary<string, string?>(StringComparer.Ordinal);
        var facts = new HostFacts();
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            string key = line[..eq];
            string value = line[(eq + 1)..];
            string? nonEmpty = value.Length == 0 ? null : value;
            switch (key)
            {
                case "dir":
                    int space = value.IndexOf(' ', StringComparison.Ordinal);
                    if (space > 0)
                    {
                        dirs[value[(space + 1)..]] = value[..space];
                    }

                    break;
                case "mirror": facts = facts with { HasMirror = true }; break;
                case "current": facts = facts with { CurrentTarget = nonEmpty }; break;
                case "current_revision": facts = facts with { CurrentRevision = nonEmpty }; break;
                case "current_venv": facts = facts with { CurrentVenvTarget = nonEmpty }; break;
                case "current_requirements": facts = facts with { CurrentRequirements = Convert.FromBase64String(value) }; break;
                case "venv": venvs.Add(value); break;
                case "berth": facts = facts with { BerthSha = nonEmpty }; break;
                case "config": facts = facts with { ServerConfigSha = nonEmpty }; break;
                case "env": facts = facts with { EnvSha = nonEmpty }; break;
                case "unit": facts = facts with { UnitSha = nonEmpty }; break;
                case "python": facts = facts with { PythonVersion = value }; break;
                case "systemd": facts = facts with { Systemd = true }; break;
                case "service_active": facts = facts with { ServiceActive = true }; break;
                case "daemon": facts = facts with { DaemonPid = int.TryParse(value, out int pid) ? pid : null }; break;
                case "release": releases.Add(value); break;
                case "lock": facts = facts with { LockOwner = value.Trim() }; break;
                case "history": facts = facts with { History = Encoding.UTF8.GetString(Convert.FromBase64String(value)) }; break;
                case "no_service_user": facts = facts with { ServiceUserExists = false }; break;
                case "missing_package": missing.Add(value); break;
                case "shared":
                    int gap = value.IndexOf(' ', StringComparison.Ordinal);
                    string target = gap < 0 ? "" : value[(gap + 1)..];
                    shared[gap < 0 ? value : value[..gap]] = target.Length == 0 ? null : target;
                    break;
            }
        }

        releases.Sort(StringComparer.Ordinal);
        return facts with { Directories = dirs, CompleteVenvs = venvs, Releases = releases, MissingPackages = missing, SharedLinks = shared };
    }
}
