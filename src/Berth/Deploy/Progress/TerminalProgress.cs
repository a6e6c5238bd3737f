using Berth.Deploy.Notify;
using Spectre.Console;

namespace Berth.Deploy.Progress;

/// <summary>
/// <see cref="IDeployProgress"/> on the developer's screen. On a terminal: a live view, per host, of the
/// running step with its elapsed time ticking and the last lines of the remote output under it, so a slow
/// pip install shows it is alive (the long silent hang is what Ansible users complain of). Elsewhere (CI, a
/// pipe): one plain line per event, as it happens. Either way <see cref="Completed"/> ends with the recap.
/// Hosts run in parallel: every event takes one lock, and only the live loop draws.
/// </summary>
public sealed partial class TerminalProgress : IDeployProgress, IDisposable
{
    /// <summary>Lines of remote output kept under a running step in the live view.</summary>
    public const int TailLines = 4;

    private readonly IAnsiConsole _console;
    private readonly TimeProvider _time;
    private readonly bool _live;
    private readonly Lock _gate = new();
    private readonly List<HostState> _hosts = [];

    /// <param name="console">Where to draw; a live view only when it is an interactive ANSI terminal.</param>
    public TerminalProgress(IAnsiConsole console, TimeProvider time)
    {
        _console = console;
        _time = time;
        _live = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
    }

    public void StepStarted(DeployHost host, string step)
    {
        lock (_gate)
        {
            HostState state = StateOf(host);
            state.Running = step;
            state.StartedAt = _time.GetTimestamp();
            state.Tail.Clear();
            if (_live)
            {
                StartLive();
            }
            else
            {
                _console.WriteLine($"{state.Label}  {step} …");
            }
        }
    }

    public void Output(DeployHost host, string step, string line)
    {
        line = RemoteLine.Clean(line);
        lock (_gate)
        {
            HostState state = StateOf(host);
            if (state.Tail.Count == TailLines)
            {
                state.Tail.Dequeue();
            }

            state.Tail.Enqueue(line);
            if (!_live)
            {
                _console.WriteLine($"    {state.Label} | {line}");
            }
        }
    }

    public void StepFinished(DeployHost host, string step, StepResult result)
    {
        lock (_gate)
        {
            HostState state = StateOf(host);
            state.Done.Add((step, result));
            state.Running = null;
            state.Tail.Clear();
            if (!_live)
            {
                _console.WriteLine($"{state.Label}  {step}  {Name(result.Status)}  {result.Reason}  {DeploySummary.Duration(result.Elapsed)}");
            }
        }
    }

    public void Completed(DeployReport report)
    {
        StopLive();
        lock (_gate)
        {
            DrawRecap(report);
        }
    }

    /// <summary>One line per channel told: "notified slack (…)", or the warning with the cause and fix.</summary>
    public void Notified(IReadOnlyList<NotifyOutcome> outcomes)
    {
        lock (_gate)
        {
            foreach (NotifyOutcome outcome in outcomes)
            {
                string colour = outcome.Delivered ? "green" : "yellow";
                _console.MarkupLine($"[{colour}]{Markup.Escape(outcome.ToString())}[/]");
            }
        }
    }

    public void Dispose() => StopLive();

    private HostState StateOf(DeployHost host)
    {
        HostState? state = _hosts.Find(h => h.Host == host);
        if (state is null)
        {
            state = new HostState(host);
            _hosts.Add(state);
        }

        return state;
    }

    internal static string Name(StepStatus status) => status.ToString().ToLowerInvariant();

    internal static string Colour(StepStatus status) => status switch
    {
        StepStatus.Ok => "green",
        StepStatus.Changed => "yellow",
        StepStatus.Skipped => "grey",
        _ => "red",
    };

    /// <summary>What the screen knows of one host. Guarded by <see cref="_gate"/>.</summary>
    private sealed class HostState(DeployHost host)
    {
        public DeployHost Host { get; } = host;

        public string Label => Host.Label;

        public string? Running { get; set; }

        public long StartedAt { get; set; }

        public Queue<string> Tail { get; } = new(TailLines);

        public List<(string Step, StepResult Result)> Done { get; } = [];
    }
}
