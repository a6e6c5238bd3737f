using System.Text;
using Berth.Config;

namespace Berth.Deploy;

/// <summary>
/// <c>/etc/systemd/system/berth-&lt;app&gt;.service</c>, for hosts where systemd runs (elsewhere the service is
/// berth's own daemon mode). berth serve stays in the foreground under systemd, which restarts it when it fails
/// and turns <c>systemctl reload</c> into SIGHUP: a rolling reload whose new workers start in the release
/// <c>current</c> points at by then. The text depends on nothing but its input, so an unchanged unit is
/// recognised by its bytes and not reinstalled.
/// </summary>
public static class SystemdUnit
{
    // berth holds a socket per client connection, per worker and per open static file; systemd's default soft
    // limit of 1024 would cap a busy site's open connections at a few hundred. 65536 is nginx's common
    // worker_rlimit_nofile and well under the kernel's default hard limit (fs.nr_open, 1048576).
    private const int OpenFilesLimit = 65536;

    public static string UnitName(string appName) => $"berth-{appName}.service";

    /// <summary>Where the unit is installed.</summary>
    public static string UnitPath(string appName) => "/etc/systemd/system/" + UnitName(appName);

    /// <param name="appName">The first app of the served config: it names the unit.</param>
    /// <param name="deploy">Where the release, the binary and the served config are.</param>
    /// <param name="serviceUser">The user berth serve runs as (deploy: user:, else the ssh user).</param>
    public static string Render(string appName, DeploySettings deploy, string serviceUser) => Render(appName, deploy, serviceUser, served: null);

    /// <param name="served">The config the host serves, when known: the capability to bind ports below 1024 is
    /// given only when one of its addresses needs it. Without it the capability is given, since :80 and :443 are
    /// what a deployed site listens on.</param>
    public static string Render(string appName, DeploySettings deploy, string serviceUser, BerthConfig? served)
    {
        var paths = new DeployPaths(deploy.Path);
        var unit = new StringBuilder();
        unit.Append("# Written by `berth deploy`; the next deploy replaces it.\n");
        unit.Append("[Unit]\n");
        unit.Append($"Description=berth serving {appName} from {paths.Current}\n");
        unit.Append("Wants=network-online.target\n");
        unit.Append("After=network-online.target\n");
        unit.Append('\n');
        unit.Append("[Service]\n");
        unit.Append("Type=exec\n");
        unit.Append($"User={serviceUser}\n");
        unit.Append($"WorkingDirectory={paths.Current}\n");
        unit.Append($"ExecStart={paths.BerthBinary} serve --config {paths.ServedConfig}\n");
        unit.Append("ExecReload=/bin/kill -HUP $MAINPID\n");
        unit.Append("Restart=on-failure\n");
        unit.Append("RestartSec=2\n");
        unit.Append($"LimitNOFILE={OpenFilesLimit}\n");
        if (served is null || BindsPrivilegedPort(served))
        {
            // :80 and :443 without running as root. The workers inherit it too (ambient capabilities pass through
            // exec); all it allows is binding a port below 1024.
            unit.Append("AmbientCapabilities=CAP_NET_BIND_SERVICE\n");
        }

        unit.Append($"SyslogIdentifier=berth-{appName}\n");
        unit.Append('\n');
        unit.Append("[Install]\n");
        unit.Append("WantedBy=multi-user.target\n");
        return unit.ToString();
    }

    private static bool BindsPrivilegedPort(BerthConfig served) =>
        served.Sites.SelectMany(s => s.Tls?.RedirectFrom is { } redirect ? [.. s.Listen, redirect] : s.Listen)
            .Any(address => !address.IsUnix && address.Port < 1024);
}
