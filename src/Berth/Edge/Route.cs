using Berth.Edge.Static;
using Berth.Workers;

namespace Berth.Edge;

/// <summary>A URL prefix of a site and what serves it: a directory (served here) or an app (its workers).</summary>
public sealed record Route(string Prefix, StaticFileHandler? Static, AppSupervisor? App)
{
    /// <summary>The WSGI SCRIPT_NAME of an app mounted here: the prefix without its trailing slash ("" at the root).</summary>
    public string ScriptName { get; } = Prefix.TrimEnd('/');

    /// <summary>Whether <paramref name="path"/> is under this prefix: "/api" takes "/api" and "/api/x", not "/apix".</summary>
    public bool Matches(string path)
    {
        string bare = ScriptName;
        if (bare.Length == 0)
        {
            return true;
        }

        return path.StartsWith(bare, StringComparison.Ordinal) && (path.Length == bare.Length || path[bare.Length] == '/');
    }
}
