using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;

namespace Berth.IntegrationTests.Notify;

/// <summary>A local HTTP endpoint on 127.0.0.1 standing in for Slack, a webhook receiver and Twilio: records
/// every request and answers 200, or the status set for a path.</summary>
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
            Requests.Enqueue(new Received(context.Request.HttpMethod, path, context.Request.Headers, body));
            context.Response.StatusCode = Statuses.GetValueOrDefault(path, 200);
            await context.Response.OutputStream.WriteAsync("ok"u8.ToArray());
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
