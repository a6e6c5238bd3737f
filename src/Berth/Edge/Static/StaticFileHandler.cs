// TEMPORARY STUB (replaced by the static branch)
using Microsoft.AspNetCore.Http;
namespace Berth.Edge.Static;
public sealed class StaticFileHandler
{
    public StaticFileHandler(string rootDirectory, TimeProvider time) { _ = rootDirectory; _ = time; }
    private int _x; public Task ServeAsync(HttpContext context, string relativePath) { _x++; _ = relativePath; context.Response.StatusCode = 404; return Task.CompletedTask; }
}
