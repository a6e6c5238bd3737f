using System.Net;
using System.Net.Http.Json;

namespace Berth.Deploy.Notify;

/// <summary>A Slack incoming webhook: POST <c>{"text": …}</c> to the webhook's URL (api.slack.com/messaging/webhooks).</summary>
internal sealed class SlackNotifier(HttpClient http, Uri url) : INotifier
{
    public string Channel => "slack";

    public string Target => HttpNotify.Redacted(url);

    public Task SendAsync(DeployReport report, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(new SlackMessage(DeploySummary.Paragraph(report)), NotifyJsonContext.Default.SlackMessage),
        };
        return HttpNotify.SendAsync(http, request, "Slack", status => status switch
        {
            // Slack answers 403 invalid_token / 404 no_service for a revoked or mistyped webhook.
            HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone =>
                "the webhook URL is wrong or was revoked: make a new incoming webhook in Slack and put its URL in the env file",
            _ => "check the webhook URL in the env file, and Slack's status",
        }, cancellationToken);
    }
}
