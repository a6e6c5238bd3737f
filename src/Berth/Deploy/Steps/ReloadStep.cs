namespace Berth.Deploy.Steps;

/// <summary>
/// berth serve picks up what changed: started when it was not running, restarted when its binary, its config or
/// its unit changed (berth reads berth.yml once, at start), else reloaded gracefully when <c>current</c> moved or
/// the env file changed: new workers start in <c>current</c>, which the kernel resolves anew for each new process,
/// and each old worker drains once a new one is ready. In daemon mode <c>berth reload</c> waits for that
/// readiness and fails with the traceback when the new code does not import.
/// </summary>
public sealed class ReloadStep : IDeployStep
{
    public enum Kind { Start, Restart, Reload }

    public string Name => "reload";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        string? newRelease = plan ? context.NewRelease : context.Switched ? context.NewRelease : null;
        (Kind kind, string why)? decision =
            context.StartService ? (Kind.Start, "it was not running")
            : context.BinaryChanged ? (Kind.Restart, $"{context.Layout.FromRoot(context.Layout.BerthBinary)} changed")
            : context.ConfigChanged ? (Kind.Restart, "the server config changed")
            : context.ServiceChanged ? (Kind.Restart, "the unit changed")
            : newRelease is not null && newRelease != context.PreviousRelease ? (Kind.Reload, $"current is now releases/{newRelease}")
            : context.EnvChanged ? (Kind.Reload, $"{context.Layout.FromRoot(context.Layout.SharedEnvFile)} changed")
            : null;
        if (decision is not { } d)
        {
            return Outcome.Ok("nothing changed");
        }

        string verb = d.kind switch { Kind.Start => "start", Kind.Restart => "restart", _ => "reload" };
        if (plan)
        {
            return Outcome.Changed($"would {verb} berth serve: {d.why}");
        }

        RemoteResult result = await context.RunAsync(Command(context, d.kind), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            string back = context.Switched ? "; " + await SwitchStep.SwitchBackAsync(context, cancellationToken).ConfigureAwait(false) : "";
            return Outcome.Failed($"berth serve did not {verb}: {result.LastLine()}{back}. See `berth logs` for the server's log");
        }

        return Outcome.Changed($"{verb}ed berth serve: {d.why}");
    }

    public static RemoteCommand Command(StepContext context, Kind kind) =>
        context.Facts.Systemd
            ? context.Privileged("systemctl", kind switch { Kind.Start => "start", Kind.Restart => "restart", _ => "reload" }, Path.GetFileName(context.Inputs.UnitFile!))
            : Daemon(context.Layout, kind);

    /// <summary>berth's daemon mode (<c>serve --daemon</c> returns once serving, or with serve's exit code and its log's
    /// tail); a restart asks the old server to stop gracefully and waits for its pid to go.</summary>
    public static RemoteCommand Daemon(DeployPaths layout, Kind kind)
    {
        const string script = """
            B="$3"; S="$4"; F="$5"
            if [ "$2" = reload ]; then exec "$B" reload --control "$S"; fi
            pid=$(cat "$F" 2>/dev/null)
            if [ "$2" = restart ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
              "$B" stop --control "$S" >/dev/null 2>&1 || kill -TERM "$pid"
              i=0
              while kill -0 "$pid" 2>/dev/null; do
                i=$((i+1)); if [ $i -gt 900 ]; then echo "berth serve (pid $pid) did not stop within 90 s" >&2; exit 1; fi
                sleep 0.1
              done
            fi
            cd "$1" && exec "$B" serve --config "$6" --daemon --pid-file "$F" --log-file "$7" --control "$S"
            """;
        return RemoteCommand.Of("sh", "-c", script, "sh", layout.Root, kind.ToString().ToLowerInvariant(),
            layout.BerthBinary, layout.ControlSocket, layout.PidFile, layout.ServedConfig, layout.LogFile);
    }
}
