using Berth.Config;

namespace Berth.Deploy;

/// <summary>One host of <c>deploy: hosts:</c> with what every command about it needs: the deploy settings, the
/// layout under its path, and the name of the service that serves there.</summary>
/// <param name="ServiceName">The first app of berth.yml (else the last part of path:), as <see cref="DeployEngine.AppName"/> names it: it names the systemd unit (<c>berth-&lt;app&gt;</c>).</param>
public sealed record DeployTarget(DeployHost Host, DeploySettings Settings, DeployPaths Paths, string ServiceName)
{
    /// <summary>The targets of <paramref name="config"/>'s deploy: section, all of them or those
    /// <paramref name="selected"/> names (by <c>user@host[:port]</c> or by host alone); a name that matches no host
    /// is returned in <paramref name="unknown"/>.</summary>
    public static IReadOnlyList<DeployTarget> Select(BerthConfig config, IReadOnlyList<string> selected, out IReadOnlyList<string> unknown)
    {
        DeploySettings deploy = config.Deploy ?? throw new ArgumentException("the config has no deploy: section", nameof(config));
        var paths = new DeployPaths(deploy.Path);
        string service = DeployEngine.AppName(config); // the name the unit was installed under
        var missing = new List<string>();
        IEnumerable<DeployHost> hosts = deploy.Hosts;
        if (selected.Count > 0)
        {
            var chosen = new List<DeployHost>();
            foreach (string name in selected)
            {
                DeployHost[] matches = deploy.Hosts.Where(h => h.Label == name || $"{h.User}@{h.Address}" == name || h.Address == name).ToArray();
                if (matches.Length == 0)
                {
                    missing.Add(name);
                }

                chosen.AddRange(matches.Where(h => !chosen.Contains(h)).ToArray());
            }

            hosts = chosen;
        }

        unknown = missing;
        return hosts.Select(h => new DeployTarget(h, deploy, paths, service)).ToArray();
    }
}
