using System.Collections.Concurrent;

namespace Berth.Acme;

/// <summary>The HTTP-01 answers pending now, token → key authorization (RFC 8555 8.3), served by the edge at
/// /.well-known/acme-challenge/TOKEN on every listener, whatever the Host.</summary>
public sealed class Http01Challenges
{
    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public void Add(string token, string keyAuthorization) => _answers[token] = keyAuthorization;

    public void Remove(string token) => _answers.TryRemove(token, out _);

    public string? Find(string token) => _answers.GetValueOrDefault(token);
}
