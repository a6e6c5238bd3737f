namespace Berth.Deploy.Steps;

/// <summary>
/// One step of a deploy on one host. Its detector always runs, under <c>--plan</c> too, and says which
/// difference it saw; its action runs only when not planning, and only when the detector saw a difference.
/// That is what makes a re-run a no-op and "changed" true (Ansible users' complaint is that it lies).
/// </summary>
public interface IDeployStep
{
    /// <summary>The step's name in progress lines and the recap, as docs/deploy.md's table names it.</summary>
    string Name { get; }

    /// <param name="plan">True for <c>berth deploy --plan</c>: detect and say what would change, change nothing.</param>
    /// <returns>The outcome with its reason; the engine measures the elapsed time.</returns>
    /// <exception cref="DeployException">The step failed for a reason the user can fix.</exception>
    Task<StepResult> DetectAndRunAsync(StepContext context, bool plan, CancellationToken cancellationToken);
}

/// <summary>Shorthands for a step's outcome; the engine fills in the elapsed time.</summary>
public static class Outcome
{
    public static StepResult Ok(string reason) => new(StepStatus.Ok, reason, TimeSpan.Zero);

    public static StepResult Changed(string reason) => new(StepStatus.Changed, reason, TimeSpan.Zero);

    public static StepResult Skipped(string reason) => new(StepStatus.Skipped, reason, TimeSpan.Zero);

    public static StepResult Failed(string reason) => new(StepStatus.Failed, reason, TimeSpan.Zero);

    /// <summary>"would …" under --plan, the past tense otherwise.</summary>
    public static StepResult Changed(bool plan, string wouldDo, string did) => Changed(plan ? wouldDo : did);
}
