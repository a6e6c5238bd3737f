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

    /// <summary>On a site's <c>redirect_from:</c> listener: the https port every request is sent to with 308.</summary>
    public int? RedirectToHttpsPort { get; init; }

    /// <summary>The Strict-Transport-Security value sent on https answers, or null.</summary>
    public string? Hsts { get; init; }

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
