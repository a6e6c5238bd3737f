using System.Diagnostics;
using System.Text.Json;

namespace Berth.IntegrationTests;

/// <summary>
/// Drives tests/apps/ws_session.py (Debian's python3-websockets): several named WebSockets held open
/// across a reload or a recycle, one command and one JSON answer at a time.
/// </summary>
internal sealed class WebSocketSession : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;

    private WebSocketSession(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    public static WebSocketSession Start(BerthProcess berth)
    {
        var start = new ProcessStartInfo(BerthProcess.SystemPython) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(BerthProcess.AppsDir, "ws_session.py"));
        start.ArgumentList.Add($"ws://127.0.0.1:{berth.Port}");
        return new WebSocketSession(Process.Start(start)!);
    }

    public async Task OpenAsync(string name, string path = "/ws")
    {
        using JsonDocument answer = await AskAsync($"open {name} {path}");
        Assert.True(answer.RootElement.TryGetProperty("ok", out _), $"open {name}: {answer.RootElement}");
    }

    /// <summary>Sends a text message and returns the app's reply.</summary>
    public async Task<string> SendAsync(string name, string text)
    {
        using JsonDocument answer = await AskAsync($"send {name} {text}");
        Assert.True(answer.RootElement.TryGetProperty("reply", out JsonElement reply), $"send {name} {text}: {answer.RootElement}");
        return reply.GetString()!;
    }

    /// <summary>Returns the next message the app sent on its own, such as a greeting right after accept.</summary>
    public async Task<string> ReceiveAsync(string name)
    {
        using JsonDocument answer = await AskAsync($"recv {name}");
        Assert.True(answer.RootElement.TryGetProperty("reply", out JsonElement reply), $"recv {name}: {answer.RootElement}");
        return reply.GetString()!;
    }

    public async Task CloseAsync(string name)
    {
        using JsonDocument answer = await AskAsync($"close {name}");
        Assert.True(answer.RootElement.TryGetProperty("ok", out _), $"close {name}: {answer.RootElement}");
    }

    /// <summary>Waits for the server to close the socket; returns its close code and reason, or null if it stayed open.</summary>
    public async Task<(int Code, string Reason)?> WaitClosedAsync(string name, TimeSpan timeout)
    {
        using JsonDocument answer = await AskAsync($"wait {name} {timeout.TotalSeconds}", timeout + TimeSpan.FromSeconds(10));
        JsonElement r = answer.RootElement;
        if (r.TryGetProperty("timeout", out _))
        {
            return null;
        }

        Assert.True(r.TryGetProperty("code", out JsonElement code), $"wait {name}: {r}");
        return (code.ValueKind == JsonValueKind.Number ? code.GetInt32() : 0, r.GetProperty("reason").GetString() ?? "");
    }

    private async Task<JsonDocument> AskAsync(string command, TimeSpan? timeout = null)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        string? line = await _process.StandardOutput.ReadLineAsync(cancel.Token);
        Assert.True(line is not null, $"ws_session.py ended on '{command}':\n" + (_process.HasExited ? await _errors : ""));
        return JsonDocument.Parse(line);
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
        {
            _process.Kill();
        }

        await ((Task)_errors).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }
}
