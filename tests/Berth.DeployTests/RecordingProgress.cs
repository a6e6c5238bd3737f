using System.Collections.Concurrent;
using Berth.Deploy;
using Xunit.Abstractions;

namespace Berth.DeployTests;

/// <summary>What the engine reported, kept for assertions and written to the test's output as it happens.</summary>
public sealed class RecordingProgress(ITestOutputHelper output) : IDeployProgress
{
    public ConcurrentQueue<(DeployHost Host, string Step, StepResult Result)> Finished { get; } = new();

    /// <summary>Called when a step starts (the Ctrl-C test cancels there).</summary>
    public Action<DeployHost, string>? OnStarted { get; set; }

    public void StepStarted(DeployHost host, string step)
    {
        Write($"{host.Label}  {step} …");
        OnStarted?.Invoke(host, step);
    }

    public void Output(DeployHost host, string step, string line) => Write($"    {host.Label} | {line}");

    public void StepFinished(DeployHost host, string step, StepResult result)
    {
        Finished.Enqueue((host, step, result));
        Write($"{host.Label}  {step}  {result.Status.ToString().ToLowerInvariant()}  {result.Reason}  {result.Elapsed.TotalSeconds:0.00}s");
    }

    public void Completed(DeployReport report) =>
        Write($"{report.Action}: {(report.Succeeded ? "succeeded" : "failed")} in {report.Duration.TotalSeconds:0.00}s; " +
              string.Join("; ", report.Hosts.Select(h => $"{h.Host} {h.Status} {h.Release} {h.FailedStep} {h.Error}")));

    public StepResult Step(string name) => Finished.Last(f => f.Step == name).Result;

    private void Write(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // A line from a host's task after the test ended.
        }
    }
}
