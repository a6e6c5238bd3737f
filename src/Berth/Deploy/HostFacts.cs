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
        var s = new StringBuilder();
        s.Append("P=").Append(ShellQuote.Word(l.Root)).Append('\n');
        s.Append("for d in \"$P\" \"$P/repo\" \"$P/releases\" \"$P/shared\" \"$P/shared/venvs\" \"$P/.deploy\" \"$P/bin\"; do [ -d \"$d\" ] && echo \"dir=$(stat -c %U \"$d\") $d\"; done\n");
        s.Append("[ -f \"$P/repo/HEAD\" ] && echo mirror=1\n");
        s.Append("echo \"current=$(readlink \"$P/current\" 2>/dev/null)\"\n");
        s.Append("[ -f \"$P/current/REVISION\" ] && echo \"current_revision=$(cat \"$P/current/REVISION\")\"\n");
        s.Append("echo \"current_venv=$(readlink \"$P/current/.venv\" 2>/dev/null)\"\n");
        s.Append("r=\"$P/current/\"").Append(ShellQuote.Word(q.Requirements)).Append("; [ -f \"$r\" ] && echo \"current_requirements=$(base64 -w0 \"$r\")\"\n");
        s.Append("for v in \"$P\"/shared/venvs/*/.complete; do [ -f \"$v\" ] && echo \"venv=$(basename \"$(dirname \"$v\")\")\"; done\n");
        s.Append("sha() { [ -f \"$2\" ] && echo \"$1=$(sha256sum \"$2\" | cut -d' ' -f1)\"; }\n");
        s.Append("sha berth \"$P/bin/berth\"; sha config \"$P/.deploy/berth.yml\"; sha env \"$P/shared/.env\"; sha unit ").Append(ShellQuote.Word(q.UnitPath)).Append('\n');
        s.Append("echo \"python=$(").Append(ShellQuote.Word(q.Python)).Append(" --version 2>&1)\"\n");
        s.Append("[ -d /run/systemd/system ] && echo systemd=1 && systemctl is-active --quiet ").Append(ShellQuote.Word(Path.GetFileName(q.UnitPath))).Append(" && echo service_active=1\n");
        s.Append("pid=$(cat \"$P/.deploy/berth.pid\" 2>/dev/null) && kill -0 \"$pid\" 2>/dev/null && echo \"daemon=$pid\"\n");
        s.Append("for r in \"$P\"/releases/*/; do [ -d \"$r\" ] && echo \"release=$(basename \"$r\")\"; done\n");
        s.Append("[ -d \"$P/.deploy/lock\" ] && echo \"lock=$(tr '\\n' ' ' < \"$P/.deploy/lock/owner\" 2>/dev/null)\"\n");
        s.Append("[ -f \"$P/.deploy/releases.jsonl\" ] && echo \"history=$(base64 -w0 \"$P/.deploy/releases.jsonl\")\"\n");
        s.Append("id -u ").Append(ShellQuote.Word(q.ServiceUser)).Append(" >/dev/null 2>&1 || echo no_service_user=1\n");
        foreach (string package in q.Packages)
        {
            string p = ShellQuote.Word(package);
            s.Append("dpkg-query -W -f='${Status}' ").Append(p).Append(" 2>/dev/null | grep -q 'ok installed' || echo missing_package=").Append(p).Append('\n');
        }

        foreach (string shared in q.Shared)
        {
            string path = shared.TrimEnd('/');
            string word = ShellQuote.Word(path);
            s.Append("printf 'shared=%s %s\\n' ").Append(word).Append(" \"$(readlink \"$P/current/\"").Append(word).Append(" 2>/dev/null)\"\n");
        }

        s.Append("true\n");
        return RemoteCommand.Of("sh", "-c", s.ToString());
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
