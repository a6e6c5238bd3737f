using System.CommandLine;
using Berth.Config;
using Berth.Deploy;

namespace Berth.Cli;

/// <summary>
/// What the commands about deployed hosts share (<c>berth deploy</c>, <c>rollback</c>, <c>releases</c>, <c>logs</c>):
/// <c>--config</c>, the <c>HOST...</c> arguments, and turning berth.yml into the hosts to ask, or into an error that
/// says what to write.
/// </summary>
internal class DeployCommandLine
{
    public Option<string> Config { get; } = new("--config", "-c")
    {
        Description = "berth.yml with the deploy: section [default: ./berth.yml].",
        DefaultValueFactory = _ => "berth.yml",
    };

    public Argument<string[]> Hosts { get; } = new("HOST")
    {
        Description = "Only these hosts of deploy: hosts: (user@host[:port], or the host alone) [default: every one].",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public virtual void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Arguments.Add(Hosts);
    }

    /// <summary>The hosts to ask; or null, with every problem written to <paramref name="error"/>.</summary>
    public IReadOnlyList<DeployTarget>? Targets(ParseResult parse, TextWriter error) => Load(parse, error)?.Targets;

    /// <summary>berth.yml and the hosts to ask; or null, with every problem written to <paramref name="error"/>.</summary>
    public (BerthConfig Config, IReadOnlyList<DeployTarget> Targets)? Load(ParseResult parse, TextWriter error)
    {
        string path = parse.GetValue(Config)!;
        ConfigResult result = ConfigLoader.Load(path);
        foreach (ConfigError problem in result.Errors)
        {
            error.WriteLine(problem.ToString());
        }

        if (!result.IsValid)
        {
            return null;
        }

        if (result.Config!.Deploy is null)
        {
            error.WriteLine(NoDeploySection(path));
            return null;
        }

        IReadOnlyList<DeployTarget> targets = DeployTarget.Select(result.Config, Named(parse), out IReadOnlyList<string> unknown);
        foreach (string name in unknown)
        {
            error.WriteLine($"{name} is not one of the hosts in {path}'s deploy: hosts: ({string.Join(", ", result.Config.Deploy.Hosts.Select(h => h.Label))}). Fix: name one of those, or add it to hosts:.");
        }

        return unknown.Count == 0 ? (result.Config, targets) : null;
    }

    /// <summary>The hosts named on the command line; none means every one.</summary>
    protected virtual IReadOnlyList<string> Named(ParseResult parse) => parse.GetValue(Hosts) ?? [];

    private static string NoDeploySection(string path) =>
        $"{path} has no deploy: section, so berth does not know which hosts to ask. Fix: add one with hosts: and repository: " +
        "(docs/deploy.md, section 3), or pass the project's berth.yml with --config.";
}
