using System.Text.Json.Serialization;

namespace Berth.Deploy.Notify;

/// <summary>The JSON the HTTP channels send, source-generated (no reflection): the report for webhooks in
/// snake_case with enums as names ("rolled_back" reads better than 2 in a receiver's log), Slack's message.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DeployReport))]
[JsonSerializable(typeof(SlackMessage))]
internal sealed partial class NotifyJsonContext : JsonSerializerContext;

/// <summary>The body of a Slack incoming webhook: plain text, which Slack shows as one message.</summary>
internal sealed record SlackMessage(string Text);
