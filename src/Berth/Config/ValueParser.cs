namespace Berth.Config;

/// <summary>How a value berth parses itself is read from its text, in berth.yml and in flags alike:
/// <see cref="Duration.TryParse"/>, <see cref="ByteSize.TryParse"/>, <see cref="ByteSize.TryParseMegabytes"/>.</summary>
public delegate bool ValueParser<T>(string? text, out T value);
