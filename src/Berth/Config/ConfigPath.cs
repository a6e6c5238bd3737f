namespace Berth.Config;

/// <summary>
/// The names settings go by in errors and in <see cref="ConfigSourceMap"/>: the YAML path with dots for
/// settings (<c>apps.web.workers</c>), <c>[i]</c> for list items (<c>sites.main.listen[1]</c>) and <c>[key]</c>
/// for entries whose key is data, such as a URL prefix that itself contains dots (<c>sites.main.static[/v1.2/]</c>).
/// </summary>
public static class ConfigPath
{
    public const string Server = "server";
    public const string Apps = "apps";
    public const string Sites = "sites";

    public static string Child(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";

    public static string Entry(string parent, string key) => $"{parent}[{key}]";

    public static string App(string name) => Child(Apps, name);

    public static string App(string name, string key) => Child(App(name), key);

    public static string Site(string name) => Child(Sites, name);

    public static string Site(string name, string key) => Child(Site(name), key);

    public static string ServerKey(string key) => Child(Server, key);

    /// <summary><paramref name="path"/> as seen from <paramref name="root"/>: <c>apps.blog.workers</c> from
    /// <c>apps.blog</c> is <c>workers</c>, and <c>apps.blog</c> itself is empty. Paths outside it are unchanged.</summary>
    public static string Relative(string path, string root) =>
        root.Length == 0 || !IsWithin(path, root) ? path
        : path.Length == root.Length ? ""
        : path[root.Length] == '.' ? path[(root.Length + 1)..] : path[root.Length..];

    /// <summary>Whether <paramref name="path"/> is <paramref name="ancestor"/> or below it.</summary>
    public static bool IsWithin(string path, string ancestor) =>
        path.StartsWith(ancestor, StringComparison.Ordinal)
        && (path.Length == ancestor.Length || path[ancestor.Length] is '.' or '[');
}
