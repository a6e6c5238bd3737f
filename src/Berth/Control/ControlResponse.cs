using System.Text.Json.Serialization;

namespace Berth.Control;

/// <summary>
/// One line the server writes back for each request:
/// <code>
/// {"ok":true,"status":{...}}        answer to status
/// {"ok":true,"certificates":[...]}  answer to certs
/// {"ok":true,"message":"..."}       reload, scale or stop done
/// {"ok":false,"error":"..."}        refused or failed; a failed reload carries the Python traceback
/// </code>
/// JSON escapes newlines inside strings, so a multi-line traceback still travels as one line.
/// </summary>
public sealed record ControlResponse(
    bool Ok,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ServerStatus? Status = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CertificateStatus>? Certificates = null)
{
    public static ControlResponse Done(string message) => new(true, Message: message);

    public static ControlResponse Failed(string error) => new(false, Error: error);

    public static ControlResponse ForStatus(ServerStatus status) => new(true, Status: status);

    public static ControlResponse ForCertificates(IReadOnlyList<CertificateStatus> certificates) => new(true, Certificates: certificates);

    public static ControlResponse From(ControlResult result) => result.Ok ? Done(result.Message) : Failed(result.Message);

    /// <summary>The text a person reads: the message when it worked, the error when it did not.</summary>
    [JsonIgnore]
    public string Text => (Ok ? Message : Error) ?? "";
}
