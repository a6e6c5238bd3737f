namespace Berth.Edge.Static;

/// <summary>The file chosen to answer a request: the original, or a precompressed sidecar next to it
/// (<c>app.js.br</c>, <c>app.js.gz</c>) with the content coding that turns it back into the original.</summary>
internal readonly record struct Representation(string RealPath, FileFacts Facts, string? ContentCoding)
{
    public string ETag { get; } = EntityTag.Create(Facts, ContentCoding);
}
