namespace Berth.Deploy.Notify;

/// <summary>How telling one channel went. A failure is a warning beside the deploy's result, never instead of it.</summary>
/// <param name="Channel">slack, webhook, email or sms.</param>
/// <param name="Target">Who was told, without secrets: "ops@example.com", "hooks.slack.com".</param>
/// <param name="Problem">Null when delivered; else the cause and the fix.</param>
public sealed record NotifyOutcome(string Channel, string Target, NotifyException? Problem)
{
    public bool Delivered => Problem is null;

    /// <summary>"warning: could not notify email (ops@example.com): … Fix: …", or "notified email (…)".</summary>
    public override string ToString() => Problem is null
        ? $"notified {Channel} ({Target})"
        : $"warning: could not notify {Channel} ({Target}): {Problem.Message}. Fix: {Problem.Fix}";
}
