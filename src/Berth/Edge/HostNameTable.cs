namespace Berth.Edge;

/// <summary>
/// Values by host name, looked up as nginx picks a <c>server</c> block: the exact name, then the longest matching
/// <c>*.example.com</c>, then the default (added with no names, or as <c>*</c>). The first value added for a name
/// keeps it. Names compare case-insensitively. The site router and the SNI certificate lookup both use it, so a
/// name gets its certificate from the same site that serves it.
/// </summary>
public sealed class HostNameTable<T>
    where T : class
{
    private readonly Dictionary<string, T> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, T Value)> _wildcards = [];

    public T? Default { get; private set; }

    public bool HasNames => _exact.Count > 0 || _wildcards.Count > 0;

    public IEnumerable<string> Names => _exact.Keys.Concat(_wildcards.Select(w => "*" + w.Suffix));

    public void Add(T value, IReadOnlyList<string> hosts)
    {
        if (hosts.Count == 0)
        {
            Default ??= value;
        }

        foreach (string host in hosts)
        {
            if (host == "*")
            {
                Default ??= value;
            }
            else if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add((host[1..], value));
                _wildcards.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
            }
            else
            {
                _exact.TryAdd(host, value);
            }
        }
    }

    /// <param name="name">A bare host name, without a port.</param>
    public T? Find(string name)
    {
        if (_exact.TryGetValue(name, out T? exact))
        {
            return exact;
        }

        foreach ((string suffix, T wildcard) in _wildcards)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                return wildcard;
            }
        }

        return Default;
    }
}
