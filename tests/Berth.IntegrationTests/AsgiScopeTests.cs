using System.Net;
using System.Text.Json;

namespace Berth.IntegrationTests;

/// <summary>What an ASGI app is given (issue 4's loose ends): the scope of a mounted Starlette app, and the
/// capacity an open WebSocket holds.</summary>
public sealed class AsgiScopeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string WriteConfig(string yaml)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("berth-asgi").FullName, "berth.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Task<BerthProcess> ServeMountedAsync(string module, string appSettings)
    {
        int port = BerthProcess.FreePort();
        string config = WriteConfig($"""
            apps:
              web:
                module: {module}
                python: {BerthProcess.SystemPython}
                chdir: {BerthProcess.AppsDir}
                workers: 1
            {appSettings}
            sites:
              main:
                listen: ["127.0.0.1:{port}"]
                mounts:
                  /api: web
            """);
        return BerthProcess.StartAsync(["serve", "--config", config], bind: false, port: port);
    }

    [Fact]
    public async Task A_mounted_starlette_app_sees_the_headers_as_sent_and_the_connections_server_client_root_path_and_scheme()
    {
        await using BerthProcess berth = await ServeMountedAsync("starlette_app:app", "");
        string raw = await berth.RawAsync(
            "POST /api/scope HTTP/1.1\r\nHost: example.test\r\nX-Custom-Thing: one\r\nX-Dup: a\r\nX-Dup: b\r\nX_Under: spoof\r\n"
            + "Cookie: a=1\r\nCookie: b=2\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
        Assert.StartsWith("HTTP/1.1 200", raw, StringComparison.Ordinal);
        using JsonDocument scope = JsonDocument.Parse(raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        JsonElement s = scope.RootElement;
        List<(string Name, string Value)> headers = s.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString()!, h[1].GetString()!)).ToList();

        Assert.Contains(("x-custom-thing", "one"), headers);
        Assert.Equal([("x-dup", "a"), ("x-dup", "b")], headers.Where(h => h.Name == "x-dup"));
        Assert.Contains(("cookie", "a=1; b=2"), headers);
        Assert.Contains(("content-type", "text/plain"), headers);
        Assert.Contains(("content-length", "2"), headers);
        Assert.Contains(("host", "example.test"), headers);
        Assert.All(headers, h => Assert.Equal(h.Name.ToLowerInvariant(), h.Name));
        Assert.DoesNotContain(headers, h => h.Name.Contains("under", StringComparison.Ordinal)); // underscored names are dropped, as nginx does

        Assert.Equal($"[\"127.0.0.1\",{berth.Port}]", s.GetProperty("server").GetRawText()); // the socket, not the Host header
        Assert.Equal("127.0.0.1", s.GetProperty("client")[0].GetString());
        Assert.NotEqual(0, s.GetProperty("client")[1].GetInt32());
        Assert.Equal("/api", s.GetProperty("root_path").GetString());
        Assert.Equal("/scope", s.GetProperty("path").GetString()); // after the mount: Debian's Starlette routes on it (and 404 answered this test before)
        Assert.Equal("http", s.GetProperty("scheme").GetString());

        await using var ws = WebSocketSession.Start(berth);
        await ws.OpenAsync("s", "/api/ws-scope");
        // The app sends its scope right after accept and closes: sending to it first races that close.
        using JsonDocument wsScope = JsonDocument.Parse(await ws.ReceiveAsync("s"));
        Assert.Equal("ws", wsScope.RootElement.GetProperty("scheme").GetString());
        Assert.Equal("/api", wsScope.RootElement.GetProperty("root_path").GetString());
        Assert.Equal("/ws-scope", wsScope.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task An_open_websocket_holds_a_place_and_the_503_names_connections_as_the_knob()
    {
        await using BerthProcess berth = await ServeMountedAsync("fastapi_app:app", "    connections: 1\n    queue: 0");
        using HttpClient http = berth.CreateClient();
        await using var ws = WebSocketSession.Start(berth);
        await ws.OpenAsync("a", "/api/ws");
        Assert.Equal("hi", await ws.SendAsync("a", "hi"));

        using (HttpResponseMessage refused = await http.GetAsync("/api/hello"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("connections:", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Contains("Raise connections:", berth.Output, StringComparison.Ordinal);

        await ws.CloseAsync("a");
        DateTime until = DateTime.UtcNow + Patience;
        while (true)
        {
            using HttpResponseMessage answer = await http.GetAsync("/api/hello");
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < until, "the closed WebSocket never gave its place back\n" + berth.Output);
            await Task.Delay(100);
        }
    }
}
