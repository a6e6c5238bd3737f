namespace Berth.Edge;

/// <summary>The routes of one site, longest prefix first, so "/static/" wins over "/".</summary>
public sealed class SiteRoutes
{
    private readonly Route[] _routes;

    public SiteRoutes(string name, IEnumerable<Route> routes)
    {
        Name = name;
        _routes = routes.OrderByDescending(r => r.ScriptName.Length).ToArray();
    }

    public string Name { get; }

    public Route? Find(string path)
    {
        foreach (Route route in _routes)
        {
            if (route.Matches(path))
            {
                return route;
            }
        }

        return null;
    }
}
