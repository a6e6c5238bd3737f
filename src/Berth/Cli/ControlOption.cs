using System.CommandLine;

namespace Berth.Cli;

/// <summary><c>--control PATH</c>, shared by every command that talks to a running <c>berth serve</c>.</summary>
internal static class ControlOption
{
    public const string EnvironmentVariable = "BERTH_CONTROL";

    /// <summary>Where a system service (systemd <c>RuntimeDirectory=berth</c>) keeps its socket.</summary>
    public const string SystemPath = "/run/berth/control.sock";

    /// <summary>Where a server run by hand keeps it: /tmp is writable by every user, /run/berth only by root.</summary>
    public const string UserPath = "/tmp/berth/control.sock";

    public static Option<string> Create() => new("--control")
    {
        HelpName = "PATH",
        Description = $"Control socket of the berth serve to talk to. Default: ${EnvironmentVariable} when set; else {SystemPath} when it exists (berth run as a system service); else {UserPath} (berth started by hand).",
        DefaultValueFactory = _ => DefaultPath(Environment.GetEnvironmentVariable, File.Exists),
    };

    /// <summary>
    /// Where <c>berth serve</c> puts its socket when not told: the same places the client looks, so a
    /// bare <c>berth status</c> finds a bare <c>berth serve</c>. /run/berth is used when it exists
    /// (systemd's <c>RuntimeDirectory=berth</c> makes it).
    /// </summary>
    public static Option<string> CreateForServe() => new("--control")
    {
        HelpName = "PATH",
        Description = $"Control socket (mode 0600) for berth status/reload/scale/stop/top. Default: ${EnvironmentVariable} when set; else {SystemPath} when /run/berth exists; else {UserPath}.",
        DefaultValueFactory = _ => DefaultPath(Environment.GetEnvironmentVariable, path => Directory.Exists(Path.GetDirectoryName(path))),
    };

    internal static string DefaultPath(Func<string, string?> environment, Func<string, bool> exists) =>
        environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : exists(SystemPath) ? SystemPath
            : UserPath;
}
