using System.Globalization;

namespace Berth.DeployTests;

/// <summary>
/// The app a test deploys: a bare git repository under /tmp (which the test hosts see too: only their /srv and
/// /var/lib/berth are their own) and a work tree that commits to it. It starts with one commit of a small Flask
/// app whose pages say which version is live and count visits in a SQLite file, so a test can tell releases
/// apart and see data survive deploys. Flask comes from Debian (python3-flask) through a venv made with
/// --system-site-packages, so requirements.txt holds no package.
/// </summary>
public sealed class GitTestRepo : IDisposable
{
    public const string Branch = "main";

    private GitTestRepo(string root)
    {
        Root = root;
    }

    public string Root { get; }

    /// <summary>The bare repository, as <c>git clone</c> takes it here and on every test host.</summary>
    public string Url => Path.Combine(Root, "app.git");

    public string WorkTree => Path.Combine(Root, "work");

    /// <summary>Creates the repository with the app at <paramref name="version"/> committed on <see cref="Branch"/>.</summary>
    public static async Task<GitTestRepo> CreateAsync(string version = "v1")
    {
        var repo = new GitTestRepo(Directory.CreateTempSubdirectory("berth-dt-git-").FullName);
        try
        {
            await HostProcess.CheckAsync("git", ["init", "-q", "--bare", "-b", Branch, repo.Url]);
            await HostProcess.CheckAsync("git", ["init", "-q", "-b", Branch, repo.WorkTree]);
            await repo.GitAsync("config", "user.name", "Berth Tests");
            await repo.GitAsync("config", "user.email", "tests@berth.invalid");
            await repo.GitAsync("remote", "add", "origin", repo.Url);
            await repo.CommitAsync(
                new Dictionary<string, string>
                {
                    ["app.py"] = AppSource(version),
                    ["requirements.txt"] = "# Flask comes from Debian (python3-flask): the venv sees it through --system-site-packages.\n",
                    [".gitignore"] = "__pycache__/\ndata.db\n",
                },
                $"app {version}");
            return repo;
        }
        catch
        {
            repo.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The Flask app: <c>/</c> says "hello from VERSION", <c>/healthz</c> answers ok, <c>/count</c> adds one to a
    /// row in <c>data.db</c> in the working directory and returns the new count.
    /// </summary>
    public static string AppSource(string version) => $$"""
        import sqlite3

        from flask import Flask

        VERSION = "{{version}}"

        app = Flask(__name__)


        @app.route("/")
        def index():
            return f"hello from {VERSION}\n"


        @app.route("/healthz")
        def healthz():
            return "ok\n"


        @app.route("/count")
        def count():
            db = sqlite3.connect("data.db")
            try:
                with db:
                    db.execute("create table if not exists counter (id integer primary key, n integer not null)")
                    db.execute("insert or ignore into counter values (1, 0)")
                    db.execute("update counter set n = n + 1 where id = 1")
                n = db.execute("select n from counter where id = 1").fetchone()[0]
            finally:
                db.close()
            return f"{n}\n"

        """;

    /// <summary>Writes <paramref name="files"/> (paths relative to the repository root), commits them on
    /// <see cref="Branch"/>, pushes, and returns the commit's sha.</summary>
    public async Task<string> CommitAsync(IReadOnlyDictionary<string, string> files, string message)
    {
        foreach ((string path, string content) in files)
        {
            string full = Path.Combine(WorkTree, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content);
            await GitAsync("add", "--", path);
        }

        await GitAsync("commit", "-q", "--allow-empty", "-m", message);
        await GitAsync("push", "-q", "origin", Branch);
        return await HeadAsync();
    }

    /// <summary>Commits the app at another version, e.g. "v2"; returns the sha.</summary>
    public Task<string> CommitAppAsync(string version) =>
        CommitAsync(new Dictionary<string, string> { ["app.py"] = AppSource(version) }, $"app {version}");

    public async Task<string> HeadAsync() => (await GitAsync("rev-parse", "HEAD")).Trim();

    /// <summary>The first seven characters of a sha, as release ids carry them.</summary>
    public static string Sha7(string sha) => sha[..7].ToLower(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private Task<string> GitAsync(params string[] arguments) =>
        // safe.directory counts only from the command line or global config: the work tree is root's, and so
        // is everything here, but a CI runner may check ownership differently.
        HostProcess.CheckAsync("git", ["-c", "safe.directory=*", "-C", WorkTree, .. arguments]);
}
