using System.Text;
using Berth.Edge.Static;
using Microsoft.AspNetCore.Http;

namespace Berth.Tests.Edge.Static;

/// <summary>A real directory tree to serve, mounted at <c>/static</c>, with a sibling directory outside the
/// root for escape attempts to aim at. Requests go through <see cref="StaticFileHandler.ServeAsync"/> on a
/// <see cref="DefaultHttpContext"/> whose body is a MemoryStream, so the reply is what a client would read.</summary>
internal sealed class StaticSite : IDisposable
{
    public const string Mount = "/static";

    /// <summary>Every file's mtime unless a test says otherwise: 1768465800 = 0x6968a588.</summary>
    public static readonly DateTimeOffset FileTime = new(2026, 1, 15, 8, 30, 0, TimeSpan.Zero);
    public const string FileTimeHttp = "Thu, 15 Jan 2026 08:30:00 GMT";

    private readonly string _base;

    public StaticSite()
    {
        _base = Path.Combine(Path.GetTempPath(), "berth-static-" + Guid.NewGuid().ToString("N"));
        Root = Directory.CreateDirectory(Path.Combine(_base, "www")).FullName;
        Outside = Directory.CreateDirectory(Path.Combine(_base, "private")).FullName;
        Time = new ManualTime(FileTime.AddDays(30));
    }

    public string Root { get; }

    public string Outside { get; }

    public ManualTime Time { get; }

    public static string ETagOf(long length, string? coding = null, DateTimeOffset? mtime = null) =>
        $"\"{(mtime ?? FileTime).ToUnixTimeSeconds():x}-{length:x}{(coding is null ? "" : "-" + coding)}\"";

    /// <summary>Writes <paramref name="relativePath"/> under the root (or under <paramref name="baseDirectory"/>).</summary>
    public string Write(string relativePath, string content, DateTimeOffset? mtime = null, string? baseDirectory = null) =>
        WriteBytes(relativePath, Encoding.UTF8.GetBytes(content), mtime, baseDirectory);

    public string WriteBytes(string relativePath, byte[] content, DateTimeOffset? mtime = null, string? baseDirectory = null)
    {
        string path = Path.Combine(baseDirectory ?? Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, (mtime ?? FileTime).UtcDateTime);
        return path;
    }

    public Task<Reply> Get(string relativePath, params (string Name, string Value)[] headers) =>
        Send("GET", relativePath, headers);

    public Task<Reply> Head(string relativePath, params (string Name, string Value)[] headers) =>
        Send("HEAD", relativePath, headers);

    public async Task<Reply> Send(string method, string relativePath, (string Name, string Value)[] headers, string query = "", CancellationToken aborted = default)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = new PathString(Mount + (relativePath.StartsWith('/') || relativePath.Length == 0 ? relativePath : "/" + relativePath));
        context.Request.QueryString = new QueryString(query);
        foreach ((string name, string value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }

        context.RequestAborted = aborted;
        var body = new MemoryStream();
        context.Response.Body = body;

        await new StaticFileHandler(Root, Time).ServeAsync(context, relativePath);
        return new Reply(context.Response.StatusCode, context.Response.Headers, body.ToArray());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_base, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test over.
        }
    }
}
