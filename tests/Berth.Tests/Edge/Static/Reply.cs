using System.Text;
using Microsoft.AspNetCore.Http;

namespace Berth.Tests.Edge.Static;

/// <summary>What came back: status, headers, body bytes.</summary>
internal sealed record Reply(int Status, IHeaderDictionary Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>A response header as a client would print it, or null when absent.</summary>
    public string? this[string name] => Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
