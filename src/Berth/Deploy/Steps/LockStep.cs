namespace Berth.Deploy.Steps;

/// <summary>
/// <c>.deploy/lock</c>: an atomic <c>mkdir</c> with an owner file (who, from which machine, since when, pid).
/// A held lock is never broken on a timeout guess (Capistrano and Deployer users lose deploys to that):
/// only <c>--break-lock</c> breaks it, and says whose it was. Released by the engine on every exit it sees.
/// </summary>
public sealed class LockStep : IDeployStep
{
    /// <summary>The exit code of <see cref="Acquire"/> when someone else holds the lock.</summary>
    public const int HeldElsewhere = 3;

    public string Name => "lock";

    public async Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken)
    {
        bool breakLock = context.Inputs.BreakLock;
        if (plan)
        {
            return context.Facts.LockOwner is not { } holder ? Outcome.Ok("free; would be taken for the run")
                : breakLock ? Outcome.Changed($"would break the lock held by {LockOwner.Describe(holder)}")
                : Held(context, holder);
        }

        RemoteResult result = await context.RunAsync(Acquire(context.Layout, context.Inputs.Owner, breakLock, context.Sudo ? context.Host.User : null), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == HeldElsewhere)
        {
            return Held(context, result.Stdout);
        }

        if (!result.Succeeded)
        {
            throw new DeployException($"could not create {context.Layout.Lock}: {result.LastLine()}",
                $"check that {context.Host.User} may write under {context.Layout.Root}, or may run sudo without a password");
        }

        context.LockHeld = true;
        string previous = result.Stdout.Trim();
        return breakLock && previous.Length > 0
            ? Outcome.Changed($"broke the lock held by {LockOwner.Describe(previous)}; taken for this run")
            : Outcome.Ok("taken for this run");
    }

    private static StepResult Held(StepContext context, string holder) =>
        Outcome.Failed($"another deploy holds the lock on {context.Host.Label}: {LockOwner.Describe(holder)}. " +
            $"If nobody is deploying (a run killed with kill -9 or a power loss), run `berth deploy --break-lock`");

    /// <summary>
    /// Makes <c>.deploy</c> when missing (through sudo for a path like /srv that the user cannot write, owned by
    /// <paramref name="sudoUser"/>), then takes the lock with the owner file from stdin. Prints the broken lock's
    /// owner with <paramref name="breakLock"/>; exits <see cref="HeldElsewhere"/> printing the holder otherwise.
    /// </summary>
    public static RemoteCommand Acquire(DeployPaths layout, LockOwner owner, bool breakLock, string? sudoUser)
    {
        string makeDir = sudoUser is null
            ? "mkdir -p \"$D\""
            : $"mkdir -p \"$D\" 2>/dev/null || sudo -n install -d -o {ShellQuote.Word(sudoUser)} \"$1\" \"$D\"";
        string script = "D=\"$2\"; L=\"$3\"; O=\"$4\"; [ -d \"$D\" ] || " + makeDir + " || exit 4\n"
            + (breakLock ? "old=$(tr '\\n' ' ' < \"$O\" 2>/dev/null); rm -rf \"$L\"\n" : "old=\n")
            + $"if mkdir \"$L\" 2>/dev/null; then cat > \"$O\"; printf '%s' \"$old\"; else tr '\\n' ' ' < \"$O\" 2>/dev/null; exit {HeldElsewhere}; fi";
        return new RemoteCommand(["sh", "-c", script, "sh", layout.Root, layout.State, layout.Lock, layout.LockOwner], owner.ToFileText());
    }

    /// <summary>Removes the lock only while it is still this run's (someone may have broken it and taken it since).</summary>
    public static RemoteCommand Release(DeployPaths layout, LockOwner owner) =>
        new(["sh", "-c", "[ \"$(cat \"$2\" 2>/dev/null)\" = \"$(cat)\" ] && rm -rf \"$1\"; true", "sh", layout.Lock, layout.LockOwner], owner.ToFileText());
}
