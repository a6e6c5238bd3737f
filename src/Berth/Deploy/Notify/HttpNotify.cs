using System.Net;

namespace Berth.Deploy.Notify;

/// <summary>What the HTTP channels share: sending a request and turning a refusal into a cause and a fix.</summary>
internal static class HttpNotify
{
    /// <summary>Sends <paramref name="request"/>; a status other than 2xx becomes a <see cref="NotifyException"/>
    /// quoting the start of the service's answer, which is where Slack and Twilio say what is wrong.</summary>
    public static async Task SendAsync(HttpClient http, HttpRequestMessage request, string service, Func<HttpStatusCode, string> fixFor, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        body = body.ReplaceLineEndings(" ").Trim();
        string quoted = body.Length == 0 ? "" : $": {(body.Length > 200 ? body[..200] + "…" : body)}";
        throw new NotifyException($"{service} answered {(int)response.StatusCode} {response.ReasonPhrase}{quoted}", fixFor(response.StatusCode));
    }

    /// <summary>A URL as it may be shown: scheme, host and port, never the path or query that hold the token.</summary>
    public static string Redacted(Uri url) => url.IsDefaultPort ? $"{url.Scheme}://{url.Host}" : $"{url.Scheme}://{url.Host}:{url.Port}";

    public static Uri ParseUrl(string text, string key) =>
        Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https"
            ? url
            : throw new NotifyException($"{key} is not an http(s) URL once its ${{NAME}} references are filled in", $"check the value of the variable {key} names in the env file");
}
