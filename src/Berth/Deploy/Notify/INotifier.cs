namespace Berth.Deploy.Notify;

/// <summary>One channel, its secrets already resolved. Implementations throw <see cref="NotifyException"/>
/// with the cause and fix for what they can explain; <see cref="DeployNotifier"/> explains the rest.</summary>
internal interface INotifier
{
    string Channel { get; }

    /// <summary>Who is told, without secrets ("hooks.slack.com", "ops@example.com").</summary>
    string Target { get; }

    Task SendAsync(DeployReport report, CancellationToken cancellationToken);
}
