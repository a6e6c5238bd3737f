using System.Text.Json.Serialization;

namespace Berth.Control;

/// <summary>
/// One line a client writes to the control socket:
/// <code>
/// {"command":"status"}
/// {"command":"reload","app":null|"name"}
/// {"command":"scale","app":"web","workers":4}
/// {"command":"stop"}
/// {"command":"renew","app":null|"SITE or HOST"}
/// {"command":"certs"}
/// </code>
/// Every field is nullable because it arrives from outside; <see cref="ControlServer"/> says what is missing.
/// </summary>
public sealed record ControlRequest(
    string? Command,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? App = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Workers = null)
{
    /// <summary>What the server answers to anything else, so a person typing into <c>socat</c> learns the protocol from the error.</summary>
    public const string Accepted = """accepted, one JSON object per line: {"command":"status"}, {"command":"reload","app":null|"NAME"}, {"command":"scale","app":"NAME","workers":N}, {"command":"stop"}, {"command":"renew","app":null|"SITE"}, {"command":"certs"}""";

    public static ControlRequest Status() => new("status");

    public static ControlRequest Reload(string? app) => new("reload", app);

    public static ControlRequest Scale(string app, int workers) => new("scale", app, workers);

    public static ControlRequest Stop() => new("stop");

    /// <summary>The site (or host name) travels in <c>app</c>, so the format stays one record.</summary>
    public static ControlRequest Renew(string? site) => new("renew", site);

    public static ControlRequest Certificates() => new("certs");
}
