using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Berth.Deploy.Notify;

/// <summary>
/// SMS through Twilio's REST API: one POST per recipient of the form fields To, From and Body to
/// <c>{base}/2010-04-01/Accounts/{AccountSid}/Messages.json</c>, HTTP basic auth with the account SID and
/// auth token (twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
/// </summary>
internal sealed class SmsNotifier(HttpClient http, Uri baseUrl, string accountSid, string authToken, string from, IReadOnlyList<string> to) : INotifier
{
    // Twilio splits longer bodies into segments and refuses above 1,600 characters.
    private const int MaxBody = 1600;

    public string Channel => "sms";

    public string Target => string.Join(", ", to);

    public async Task SendAsync(DeployReport report, CancellationToken cancellationToken)
    {
        string body = DeploySummary.Paragraph(report);
        body = body.Length > MaxBody ? body[..(MaxBody - 1)] + "…" : body;
        var url = new Uri(baseUrl, $"2010-04-01/Accounts/{Uri.EscapeDataString(accountSid)}/Messages.json");
        var auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accountSid}:{authToken}")));
        foreach (string number in to)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new FormUrlEncodedContent([new("To", number), new("From", from), new("Body", body)]),
            };
            request.Headers.Authorization = auth;
            await HttpNotify.SendAsync(http, request, "Twilio", status => status switch
            {
                HttpStatusCode.Unauthorized => "Twilio refused the account SID and auth token: copy both from the Twilio console into the env file",
                HttpStatusCode.BadRequest => "Twilio refused the message (its answer says why): check from: is your Twilio number and to: are E.164 numbers",
                _ => "check base_url: and Twilio's status",
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
