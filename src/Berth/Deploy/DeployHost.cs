namespace Berth.Deploy;

/// <summary>A host as written in <c>deploy: hosts:</c>, <c>[user@]host[:port]</c>.</summary>
public sealed record DeployHost(string User, string Address, int Port)
{
    public const int DefaultPort = 22;

    /// <summary>How the host is named in progress lines, the recap and notifications.</summary>
    public string Label => Port == DefaultPort ? $"{User}@{Address}" : $"{User}@{Address}:{Port}";

    public override string ToString() => Label;
}
