namespace Berth.Deploy;

/// <summary>
/// Where the deploy engine reports as it goes. The terminal implementation draws the running step with
/// its elapsed time and the remote output streaming under it, then a recap table per host; tests
/// record the events. Called from several hosts' tasks at once: implementations are thread-safe.
/// </summary>
public interface IDeployProgress
{
    void StepStarted(DeployHost host, string step);

    /// <summary>One line of remote output (stdout or stderr) of the step that is running on the host.</summary>
    void Output(DeployHost host, string step, string line);

    void StepFinished(DeployHost host, string step, StepResult result);

    /// <summary>The run is over (success or not): draw the recap.</summary>
    void Completed(DeployReport report);
}
