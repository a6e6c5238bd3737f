using Berth.Deploy.Notify;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Berth.Deploy.Progress;

public sealed partial class TerminalProgress
{
    // Five frames a second: the tenths of the elapsed time move visibly, and redrawing a few lines per host
    // costs nothing next to ssh.
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stopLive = new();
    private Task? _liveLoop;

    /// <summary>The live view as it is now: per host the running step, its elapsed time and the output tail.</summary>
    internal IRenderable LiveView()
    {
        lock (_gate)
        {
            var rows = new List<IRenderable>();
            foreach (HostState host in _hosts)
            {
                string counts = string.Join(", ", host.Done.GroupBy(d => d.Result.Status).Select(g => $"{g.Count()} {Name(g.Key)}"));
                string done = counts.Length == 0 ? "" : $"  [grey]({Markup.Escape(counts)})[/]";
                if (host.Running is { } step)
                {
                    TimeSpan elapsed = _time.GetElapsedTime(host.StartedAt);
                    rows.Add(new Markup($"[bold]{Markup.Escape(host.Label)}[/]  [blue]{Markup.Escape(step)}[/]  {DeploySummary.Duration(elapsed)}{done}"));
                    // One screen line each, or a long pip line would wrap and push the other hosts off the view.
                    int width = _console.Profile.Width - 4;
                    rows.AddRange(host.Tail.Select(line => new Markup($"    [grey]{Markup.Escape(RemoteLine.Fit(line, width))}[/]")));
                }
                else
                {
                    rows.Add(new Markup($"[bold]{Markup.Escape(host.Label)}[/]  waiting{done}"));
                }
            }

            return new Rows(rows);
        }
    }

    /// <summary>Starts the loop that redraws the live view; called under the lock on the first step.</summary>
    private void StartLive()
    {
        _liveLoop ??= Task.Run(() => _console.Live(LiveView()).AutoClear(true).Overflow(VerticalOverflow.Ellipsis).StartAsync(async context =>
        {
            while (!_stopLive.IsCancellationRequested)
            {
                context.UpdateTarget(LiveView());
                try
                {
                    await Task.Delay(Frame, _time, _stopLive.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }));
    }

    private void StopLive()
    {
        Task? loop;
        lock (_gate)
        {
            loop = _liveLoop;
        }

        if (loop is null || _stopLive.IsCancellationRequested)
        {
            return;
        }

        _stopLive.Cancel();
        // The recap is drawn after the live view is gone, or the two would overwrite each other.
        loop.GetAwaiter().GetResult();
    }
}
