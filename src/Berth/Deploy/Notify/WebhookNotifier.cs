using System.Net;
using System.Net.Http.Json;

namespace Berth.Deploy.Notify;

/// <summary>Any HTTP endpoint: POST the deploy report as JSON, with the configured headers (an Authorization, say).</summary>
internal sealed class WebhookNotifier(HttpClient http, Uri url, IReadOnlyList<(string Name, string Value)> headers) : INotifier
{
    public string Channel => "webhook";

    public string Target => HttpNotify.Redacted(url);

    public Task SendAsync(DeployReport report, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(report, NotifyJsonContext.Default.DeployReport),
        };
        foreach ((string name, string value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return HttpNotify.SendAsync(http, request, "the webhook", status => status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "the receiver refused the credentials: check the header values in the env file",
            _ => "check the URL in the env file and the receiver's log",
        }, cancellationToken);
    }
}
