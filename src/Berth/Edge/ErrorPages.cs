using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Berth.Edge;

/// <summary>
/// The pages the edge answers itself. Each says what happened and what to do, in plain words, to the
/// person looking at the browser; the operator gets the details in the log.
/// </summary>
public static class ErrorPages
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, string? retryAfter = null)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        response.Clear();
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        if (retryAfter is not null)
        {
            response.Headers.RetryAfter = retryAfter;
        }

        string html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{status} {WebUtility.HtmlEncode(title)}</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
            <h1>{status} {WebUtility.HtmlEncode(title)}</h1>
            <p>{WebUtility.HtmlEncode(detail)}</p>
            <hr><small>berth</small>
            </body></html>

            """;
        byte[] body = Encoding.UTF8.GetBytes(html);
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length);
    }
}
