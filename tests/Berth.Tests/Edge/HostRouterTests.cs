using Berth.Edge;

namespace Berth.Tests.Edge;

public sealed class HostRouterTests
{
    private static SiteRoutes Site(string name) => new(name, []);

    [Fact]
    public void Exact_name_beats_wildcard_beats_default_and_ports_are_ignored()
    {
        var router = new HostRouter();
        SiteRoutes fallback = Site("default"), exact = Site("exact"), wildcard = Site("wild");
        router.Add(fallback, []);
        router.Add(exact, ["www.example.com"]);
        router.Add(wildcard, ["*.example.com"]);

        Assert.Same(exact, router.Find("WWW.Example.com:8000"));
        Assert.Same(wildcard, router.Find("api.example.com"));
        Assert.Same(fallback, router.Find("example.com"));
        Assert.Same(fallback, router.Find("other.org"));
    }

    [Fact]
    public void Unknown_host_without_default_site_finds_nothing()
    {
        var router = new HostRouter();
        router.Add(Site("only"), ["example.com"]);

        Assert.Null(router.Find("evil.test"));
        Assert.Equal("[::1]", HostRouter.StripPort("[::1]:8080"));
    }

    [Fact]
    public void Longest_prefix_wins_and_prefixes_match_whole_segments()
    {
        var root = new Route("/", null, null);
        var api = new Route("/api", null, null);
        var files = new Route("/static/", null, null);
        var site = new SiteRoutes("s", [root, api, files]);

        Assert.Same(api, site.Find("/api"));
        Assert.Same(api, site.Find("/api/users"));
        Assert.Same(root, site.Find("/apix"));
        Assert.Same(files, site.Find("/static/app.css"));
        Assert.Same(root, site.Find("/"));
        Assert.Equal("", root.ScriptName);
        Assert.Equal("/static", files.ScriptName);
    }
}
