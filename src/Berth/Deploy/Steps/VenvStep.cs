namespace Berth.Deploy.Steps;

/// <summary>
/// The release's virtualenv: <c>shared/venvs/&lt;hash&gt;</c>, reused by every release with the same requirements and
/// Python (<see cref="VenvHash"/>), so a code-only deploy builds nothing. It is built in place, not in a temporary
/// directory moved afterwards, because a venv is not relocatable (pip writes its path into scripts' shebangs);
/// the <c>.complete</c> marker, touched only after pip succeeded, is what says it can be used, and a directory
/// without it is removed and built again.
/// </summary>
public sealed class VenvStep : IDeployStep
{
    public string Name => "venv";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        HostFacts facts = context.Facts;
        if (context.NewRelease is not { } release)
        {
            context.VenvHash = DeployPaths.TargetName(facts.CurrentVenvTarget);
            return Outcome.Ok($"the live release keeps venv {context.VenvHash}");
        }

        if (plan && !context.RequirementsKnown)
        {
            return Outcome.Changed($"would reuse or build a venv for {context.Deploy.Requirements} of {ReleaseId.ShortRevision(context.Inputs.Revision)} (the host's mirror does not have that commit yet, so its requirements are not known)");
        }

        string python = facts.PythonVersion.Trim();
        if (!python.StartsWith("Python", StringComparison.Ordinal))
        {
            RemoteResult version = await context.RunAsync(RemoteCommand.Of(context.Deploy.Python, "--version"), cancellationToken).ConfigureAwait(false);
            python = (version.Stdout + version.Stderr).Trim();
            if (!version.Succeeded && !plan)
            {
                throw new DeployException($"{context.Deploy.Python} does not run on the host: {python}",
                    "add python3 and python3-venv to deploy.system_packages:, or set deploy.python: to the host's interpreter");
            }
        }

        string hash = VenvHash.Compute(context.Requirements, python, context.Deploy.PipArguments, context.Deploy.VenvSystemSitePackages);
        context.VenvHash = hash;
        string live = DeployPaths.TargetName(facts.CurrentVenvTarget) is { } liveHash ? $"the live release uses {liveHash}" : "no live release";
        string why = context.Requirements is null ? $"no {context.Deploy.Requirements} in the release" : $"{context.Deploy.Requirements} + {python}";
        if (facts.CompleteVenvs.Contains(hash))
        {
            if (!plan)
            {
                await context.RunCheckedAsync(Link(context.Layout, release, hash), "linking the venv", "check the space and permissions under " + context.Layout.Root, cancellationToken).ConfigureAwait(false);
            }

            return Outcome.Ok($"{(plan ? "would reuse" : "reused")} venv {hash} ({why}, unchanged)");
        }

        if (plan)
        {
            return Outcome.Changed($"would build venv {hash}: none for {why} ({live})");
        }

        await context.RunCheckedAsync(Build(context.Layout, release, hash, context.Deploy.Python, context.Deploy.Requirements, context.Deploy.PipArguments, context.Deploy.VenvSystemSitePackages),
            $"building venv {hash}",
            "read pip's output above; for hosts without internet, give deploy.pip: [--no-index, --find-links, /path/to/wheels]", cancellationToken).ConfigureAwait(false);
        return Outcome.Changed($"built venv {hash}: none for {why} ({live})");
    }

    public static RemoteCommand Build(DeployPaths layout, string release, string hash, string python, string requirements, IReadOnlyList<string> pipArguments, bool systemSitePackages)
    {
        string script = """
            set -e
            V="$1"; Q="$2/$3"; PY="$4"; SITE="$5"; DONE="$6"; LINK="$7"; TARGET="$8"; shift 8
            rm -rf "$V"
            "$PY" -m venv $SITE "$V"
            if [ -f "$Q" ]; then "$V/bin/python" -m pip install --disable-pip-version-check --no-input "$@" -r "$Q"; fi
            touch "$DONE"
            ln -sfn "$TARGET" "$LINK"
            """;
        return RemoteCommand.Of(["sh", "-c", script, "sh", layout.Venv(hash), layout.Release(release), requirements, python,
            systemSitePackages ? "--system-site-packages" : "", layout.VenvComplete(hash), layout.ReleaseVenv(release), layout.VenvTarget(hash), .. pipArguments]);
    }

    /// <summary>The release's <c>.venv</c>, relative so the release reads the same from any mount point.</summary>
    public static RemoteCommand Link(DeployPaths layout, string release, string hash) =>
        RemoteCommand.Of("ln", "-sfn", layout.VenvTarget(hash), layout.ReleaseVenv(release));
}
