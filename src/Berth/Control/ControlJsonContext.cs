using System.Text.Json.Serialization;

namespace Berth.Control;

/// <summary>
/// Source-generated serializers for the control protocol (no reflection, trimming-safe). Names are
/// snake_case on the wire (<c>rss_bytes</c>, <c>recent_exits</c>) for the shell scripts and <c>jq</c>
/// filters that read <c>berth status --json</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(ServerStatus))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
