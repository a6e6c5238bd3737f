using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;

namespace Berth.IntegrationTests.Notify;

/// <summary>A local HTTP endpoint on 127.0.0.1 standing in for Slack, a webhook receiver and Twilio: records
/// every request and answers 200, or the status set for a path, or what <see cref="Answer"/> says.</summary>
public sealed class HttpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public HttpReceiver()
    {
        Port = SmtpReceiver.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Path → status to answer with, instead of 200.</summary>
    public ConcurrentDictionary<string, int> Statuses { get; } = new();

    /// <summary>When set and not null for a request: the status, body and extra headers to answer it with.</summary>
    public Func<Received, (int Status, string Body, (string Name, string Value)[] Headers)?>? Answer { get; set; }

    public sealed record Received(string Method, string Path, NameValueCollection Headers, string Body);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            string body = await reader.ReadToEndAsync();
            string path = context.Request.Url!.AbsolutePath;
            var received = new Received(context.Request.HttpMethod, path, context.Request.Headers, body);
            Requests.Enqueue(received);
            (int status, string text, (string Name, string Value)[] headers) = Answer?.Invoke(received) ?? (Statuses.GetValueOrDefault(path, 200), "ok", []);
            context.Response.StatusCode = status;
            foreach ((string name, string value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
