namespace Berth.Deploy.Steps;

/// <summary>
/// The user's <c>hooks:</c> commands (migrations, collectstatic): <c>before_switch</c> in the new release before
/// it goes live, <c>after_switch</c> in the live one after the health check. Each runs with the release's venv
/// first on PATH and the app's environment (shared/.env) exported, as the app itself would see it.
/// </summary>
public sealed class HooksStep(string name, bool afterSwitch) : IDeployStep
{
    public static HooksStep BeforeSwitch() => new("before_switch hooks", afterSwitch: false);

    public static HooksStep AfterSwitch() => new("after_switch hooks", afterSwitch: true);

    public string Name => name;

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> hooks = afterSwitch ? context.Deploy.AfterSwitch : context.Deploy.BeforeSwitch;
        if (hooks.Count == 0)
        {
            return Outcome.Skipped("no hooks");
        }

        if (context.NewRelease is not { } release || (afterSwitch && !context.Switched && !plan))
        {
            return Outcome.Skipped("no new release");
        }

        if (plan)
        {
            return Outcome.Changed($"would run {string.Join("; ", hooks)}");
        }

        (string directory, string venv) = afterSwitch
            ? (context.Layout.Current, context.Layout.CurrentVenv)
            : (context.Layout.Release(release), context.Layout.ReleaseVenv(release));
        foreach (string hook in hooks)
        {
            await context.RunCheckedAsync(Run(context.Layout, directory, venv, hook), $"the hook `{hook}`",
                "read its output above; the hook runs in the release directory with the release's venv first on PATH", cancellationToken).ConfigureAwait(false);
        }

        return Outcome.Changed($"ran {string.Join("; ", hooks)}");
    }

    public static RemoteCommand Run(DeployPaths layout, string directory, string venv, string hook)
    {
        const string script = """
            cd "$1" || exit 1
            PATH="$2/bin:$PATH"; export PATH
            if [ -f "$3" ]; then set -a; . "$3"; set +a; fi
            exec sh -c "$4"
            """;
        return RemoteCommand.Of("sh", "-c", script, "sh", directory, venv, layout.SharedEnvFile, hook);
    }
}
