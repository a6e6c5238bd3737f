namespace Berth.Deploy.Steps;

/// <summary>
/// How berth serve runs on the host: a systemd unit where systemd runs, else berth's own daemon mode with a pid
/// file (containers and the test hosts have no systemd). A server that is not running yet is started by the
/// reload step, once <c>current</c> exists for its workers to start in.
/// </summary>
public sealed class ServiceStep : IDeployStep
{
    public string Name => "service";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        HostFacts facts = context.Facts;
        if (!facts.Systemd)
        {
            if (facts.DaemonPid is int pid)
            {
                return Outcome.Ok($"berth serve runs as pid {pid} (daemon mode: no systemd on this host)");
            }

            context.StartService = true;
            return Outcome.Changed(plan, "would start berth serve in daemon mode after the switch (not running; no systemd on this host)",
                "berth serve is not running: it starts in daemon mode after the switch (no systemd on this host)");
        }

        string unit = Path.GetFileName(context.Inputs.UnitFile!);
        context.StartService = !facts.ServiceActive;
        if (context.Inputs.UnitSha == facts.UnitSha)
        {
            return facts.ServiceActive ? Outcome.Ok($"{unit} is installed, unchanged and active")
                : Outcome.Changed(plan, $"would start {unit} after the switch (inactive)", $"{unit} is inactive: it starts after the switch");
        }

        string why = facts.UnitSha is null ? "not installed" : "it differs from the installed one";
        context.ServiceChanged = facts.UnitSha is not null;
        if (plan)
        {
            return Outcome.Changed($"would install {unit}: {why}");
        }

        string staged = context.Layout.Staged(unit);
        await context.Remote.UploadAsync(context.Inputs.UnitFile!, staged, 0x1A4, cancellationToken).ConfigureAwait(false);
        await context.RunCheckedAsync(Install(context, staged, unit), $"installing {unit}",
            $"check that {context.Host.User} may run sudo without a password", cancellationToken).ConfigureAwait(false);
        return Outcome.Changed($"installed {unit}: {why}");
    }

    public static RemoteCommand Install(StepContext context, string staged, string unit) =>
        context.Privileged("sh", "-c", "install -m 0644 \"$1\" \"$3\" && rm -f \"$1\" && systemctl daemon-reload && systemctl enable --quiet \"$2\"",
            "sh", staged, unit, SystemdUnit.UnitPath(DeployEngine.AppName(context.Config)));
}
