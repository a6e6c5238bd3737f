using Berth.Config;

namespace Berth.Tests.Config;

public sealed class ReloadPlanTests : IDisposable
{
    private readonly ConfigFixture _files = new();

    private const string TwoApps = """
        apps:
          web:
            module: web:application
            workers: 2
            env:
              MODE: a
          api:
            module: api:application
        sites:
          main:
            listen: 127.0.0.1:8000
            mounts:
              /: web
              /api: api
        """;

    [Fact]
    public void The_same_file_read_again_reloads_every_app_as_it_is_and_needs_no_restart()
    {
        ReloadPlan plan = ReloadPlan.Between(_files.Valid(TwoApps), _files.Valid(TwoApps));

        Assert.Equal(["web", "api"], plan.Unchanged);
        Assert.Empty(plan.Added);
        Assert.Empty(plan.Removed);
        Assert.Empty(plan.Changed);
        Assert.Empty(plan.NeedRestart);
    }

    [Fact]
    public void A_changed_worker_count_or_env_value_reloads_that_app_with_its_new_settings()
    {
        BerthConfig next = _files.Valid(TwoApps.Replace("workers: 2", "workers: 3", StringComparison.Ordinal).Replace("MODE: a", "MODE: b", StringComparison.Ordinal));

        ReloadPlan plan = ReloadPlan.Between(_files.Valid(TwoApps), next);

        Assert.Equal(["web"], plan.Changed.Select(a => a.Name));
        Assert.Equal(3, plan.Changed[0].Workers);
        Assert.Equal(["api"], plan.Unchanged);
    }

    [Fact]
    public void An_app_that_only_moved_down_the_file_is_unchanged()
    {
        BerthConfig next = _files.Valid("# a comment that moves every line\n" + TwoApps);

        Assert.Empty(ReloadPlan.Between(_files.Valid(TwoApps), next).Changed);
    }

    [Fact]
    public void Apps_added_and_removed_are_named()
    {
        BerthConfig next = _files.Valid("""
            apps:
              web:
                module: web:application
                workers: 2
                env:
                  MODE: a
              blog:
                module: blog:application
            sites:
              main:
                listen: 127.0.0.1:8000
                mounts:
                  /: web
                  /blog: blog
            """);

        ReloadPlan plan = ReloadPlan.Between(_files.Valid(TwoApps), next);

        Assert.Equal(["blog"], plan.Added.Select(a => a.Name));
        Assert.Equal(["api"], plan.Removed);
        Assert.Equal(["web"], plan.Unchanged);
    }

    [Fact]
    public void Server_settings_and_new_listen_addresses_are_named_as_needing_a_restart()
    {
        BerthConfig next = _files.Valid("""
            server:
              graceful_timeout: 5s
              runtime_dir: run
            """ + "\n" + TwoApps.Replace("127.0.0.1:8000", "127.0.0.1:8001", StringComparison.Ordinal));

        ReloadPlan plan = ReloadPlan.Between(_files.Valid(TwoApps), next);

        Assert.Equal(["server.graceful_timeout", "server.runtime_dir", "sites.main.listen"], plan.NeedRestart);
    }

    [Fact]
    public void A_new_site_on_an_address_berth_already_listens_on_needs_no_restart()
    {
        BerthConfig next = _files.Valid(TwoApps + """

              docs:
                listen: 127.0.0.1:8000
                hosts: [docs.example.com]
                mounts:
                  /: api
            """);

        Assert.Empty(ReloadPlan.Between(_files.Valid(TwoApps), next).NeedRestart);
    }

    [Fact]
    public void What_is_applied_keeps_the_server_settings_and_a_moved_site_on_its_old_listener_with_its_new_routes()
    {
        BerthConfig running = _files.Valid(TwoApps);
        BerthConfig next = _files.Valid("server:\n  graceful_timeout: 5s\n" + TwoApps.Replace("127.0.0.1:8000", "127.0.0.1:8001", StringComparison.Ordinal).Replace("\n      /api: api", "", StringComparison.Ordinal));

        BerthConfig applied = ReloadPlan.Applicable(running, next);

        Assert.Equal(running.Server, applied.Server);
        SiteConfig main = Assert.Single(applied.Sites);
        Assert.Equal("127.0.0.1:8000", Assert.Single(main.Listen).ToString());
        Assert.Equal(["/"], main.Mounts.Select(m => m.UrlPrefix));
    }

    public void Dispose() => _files.Dispose();
}
