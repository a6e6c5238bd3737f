using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Berth.Edge.Static;

/// <summary>Serves one static mount the way nginx's static module (with <c>gzip_static</c>,
/// <c>brotli_static</c> and <c>gzip_vary</c> on) does: GET and HEAD, validators and 304s, single byte
/// ranges, precompressed sidecars, <c>index.html</c> for directories and never a listing.</summary>
/// <remarks>
/// Nothing about files is cached between requests; only the root is resolved once, so a root reached through
/// <c>current</c> switches release with the code, on reload (<see cref="EdgeServer.ResolveStaticRootsAgain"/>). A request costs one <c>statx</c> and one <c>realpath</c> for the file, plus one
/// <c>statx</c> per sidecar name (a miss, for most files).
///
/// Paths are checked twice: lexically, before the file system sees them (<see cref="SafePath.Map"/>), and
/// after <c>realpath</c> has resolved every symlink, which must land inside the real root. Symlinks that stay
/// inside are followed. What this cannot stop is someone who can write into the root swapping a component
/// between the check and the open; such a person can already publish whatever they like.
/// </remarks>
public sealed class StaticFileHandler
{
    private const string AllowedMethods = "GET, HEAD";
    private const string IndexFile = "index.html";

    // A fingerprinted name never changes meaning, so browsers may keep it a year (the longest RFC 9111
    // §5.2.2.1 advises) and not even revalidate on reload. Anything else is revalidated every time, which
    // with an ETag costs a 304 with no body.
    private const string ImmutableCaching = "public, max-age=31536000, immutable";
    private const string RevalidateCaching = "no-cache";

    // Brotli first: on equal quality it wins, being the smaller file; every browser that sends "br" ranks
    // it no lower than gzip.
    private static readonly (string Coding, string Suffix)[] s_sidecars = [("br", ".br"), ("gzip", ".gz")];

    private readonly string _root;
    private readonly TimeProvider _time;

    /// <summary>Resolves <paramref name="rootDirectory"/> once, symlinks included, so a root reached through
    /// <c>/srv/app/current</c> is pinned to the release it pointed at when the mount was built (a reload
    /// builds a new handler: <see cref="EdgeServer.ResolveStaticRootsAgain"/>).</summary>
    /// <exception cref="DirectoryNotFoundException">The directory is missing or is not a directory.</exception>
    public StaticFileHandler(string rootDirectory, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentNullException.ThrowIfNull(time);

        string? real = FileProbe.RealPath(Path.GetFullPath(rootDirectory));
        if (real is null || !FileProbe.TryStat(real, out FileFacts facts) || facts.Kind != FileKind.Directory)
        {
            throw new DirectoryNotFoundException(
                $"static directory '{rootDirectory}' does not exist or is not a directory; create it, or point the mount's directory in berth.yml at one that exists");
        }

        _root = real;
        _time = time;
    }

    /// <summary>The real path files are served from.</summary>
    public string RootDirectory => _root;

    /// <summary>Answers the request completely. <paramref name="relativePath"/> is the part of the request
    /// path after the mount prefix, as Kestrel gives it in <c>Request.Path</c> (percent-decoded, except
    /// <c>%2F</c>). Bad paths and headers get a status code, never an exception.</summary>
    public async Task ServeAsync(HttpContext context, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(relativePath);
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;

        bool head = HttpMethods.IsHead(request.Method);
        if (!head && !HttpMethods.IsGet(request.Method))
        {
            response.Headers.Allow = AllowedMethods;
            Finish(response, StatusCodes.Status405MethodNotAllowed);
            return;
        }

        switch (SafePath.Map(_root, relativePath, out string mapped))
        {
            case PathVerdict.Malformed:
                Finish(response, StatusCodes.Status400BadRequest);
                return;
            case PathVerdict.Refused:
                Finish(response, StatusCodes.Status404NotFound);
                return;
        }

        if (!TryLocate(mapped, out string real, out FileFacts facts))
        {
            Finish(response, StatusCodes.Status404NotFound);
            return;
        }

        if (facts.Kind == FileKind.Directory)
        {
            if (!NamesDirectory(request, relativePath))
            {
                RedirectToDirectory(request, response, relativePath);
                return;
            }

            mapped = Path.Join(mapped, IndexFile);
            if (!TryLocate(mapped, out real, out facts))
            {
                Finish(response, StatusCodes.Status404NotFound); // no index.html: no listing either, ever
                return;
            }
        }
        else if (relativePath.EndsWith('/'))
        {
            // "app.js/" asks for a directory; nginx's open() fails with ENOTDIR and answers 404.
            Finish(response, StatusCodes.Status404NotFound);
            return;
        }

        if (facts.Kind != FileKind.Regular)
        {
            Finish(response, StatusCodes.Status404NotFound);
            return;
        }

        Representation chosen = ChooseRepresentation(mapped, new Representation(real, facts, null), request.Headers.AcceptEncoding, out bool varies);
        await SendAsync(context, head, Path.GetFileName(mapped), chosen, varies);
    }

    private async Task SendAsync(HttpContext context, bool head, string urlFileName, Representation chosen, bool varies)
    {
        HttpResponse response = context.Response;
        IHeaderDictionary headers = response.Headers;
        DateTimeOffset now = _time.GetUtcNow();

        // RFC 9110 §8.8.2.1: a modification time in the future (an unpacked archive, a skewed clock) must be
        // sent as the current time instead. One before 1970 is sent as 1970, which every client can parse.
        DateTimeOffset lastModified = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(chosen.Facts.ModifiedUnixSeconds, 0, now.ToUnixTimeSeconds()));

        // Validators and caching go on 304s too (RFC 9110 §15.4.5), so caches can refresh what they hold.
        // Type and caching follow the name in the URL, not a symlink's target: "latest.js" pointing at
        // "app.3f9a1c.js" must stay revalidated, because the link can move.
        headers.ETag = chosen.ETag;
        headers.LastModified = lastModified.ToString("r", CultureInfo.InvariantCulture);
        headers.CacheControl = Fingerprint.IsFingerprinted(urlFileName) ? ImmutableCaching : RevalidateCaching;
        if (varies)
        {
            headers.Vary = HeaderNames.AcceptEncoding;
        }

        switch (Preconditions.Evaluate(context.Request.Headers, chosen.ETag, lastModified, now))
        {
            case PreconditionOutcome.NotModified:
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            case PreconditionOutcome.PreconditionFailed:
                Finish(response, StatusCodes.Status412PreconditionFailed);
                return;
        }

        headers.AcceptRanges = "bytes";
        long length = chosen.Facts.Length;
        var body = new ByteRange(0, length);
        int status = StatusCodes.Status200OK;

        // RFC 9110 §14.2: range handling is defined for GET only, and a server MUST ignore Range on other
        // methods; HEAD therefore describes the whole representation.
        StringValues rangeField = context.Request.Headers.Range;
        if (!head && rangeField.Count == 1 && Preconditions.AllowsRange(context.Request.Headers, chosen.ETag, lastModified, now))
        {
            switch (ByteRange.Parse(rangeField[0], length, out ByteRange requested))
            {
                case RangeOutcome.Unsatisfiable:
                    headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{length}");
                    Finish(response, StatusCodes.Status416RangeNotSatisfiable);
                    return;
                case RangeOutcome.Satisfiable:
                    body = requested;
                    status = StatusCodes.Status206PartialContent;
                    headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {requested.Start}-{requested.End}/{length}");
                    break;
            }
        }

        response.StatusCode = status;
        response.ContentType = MediaTypes.For(urlFileName);
        headers.XContentTypeOptions = "nosniff";
        if (chosen.ContentCoding is not null)
        {
            headers.ContentEncoding = chosen.ContentCoding;
        }

        response.ContentLength = body.Length;
        if (head || body.Length == 0)
        {
            return;
        }

        try
        {
            await response.SendFileAsync(chosen.RealPath, body.Start, body.Length, context.RequestAborted);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            // The client went away, or the body is half sent and Kestrel will end the connection: nobody is
            // left to tell. Before the first byte, the file changed between stat and open (a deploy) or
            // berth's user may not read it, which nginx also answers with 404 and 403.
            if (response.HasStarted || context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            response.Clear();
            Finish(response, e is UnauthorizedAccessException ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound);
        }
    }

    /// <summary>Picks the sidecar with the highest quality in Accept-Encoding, or the original when no
    /// acceptable one exists. <paramref name="varies"/> is true whenever any sidecar exists, acceptable or
    /// not, because the answer then depends on Accept-Encoding and caches must key on it (nginx's
    /// <c>gzip_vary</c>).</summary>
    private Representation ChooseRepresentation(string mapped, Representation original, StringValues acceptEncoding, out bool varies)
    {
        varies = false;
        Representation chosen = original;
        double bestQuality = 0;
        foreach ((string coding, string suffix) in s_sidecars)
        {
            // Next to the name in the URL, as gzip_static looks: "latest.js.br", not next to a link's target.
            if (!TryLocate(mapped + suffix, out string real, out FileFacts facts) || facts.Kind != FileKind.Regular)
            {
                continue;
            }

            varies = true;
            double quality = AcceptEncoding.Quality(acceptEncoding, coding);
            if (quality > bestQuality)
            {
                chosen = new Representation(real, facts, coding);
                bestQuality = quality;
            }
        }

        return chosen;
    }

    /// <summary>Stats <paramref name="mapped"/> and resolves it to a real path inside the root. The stat
    /// comes first because most lookups that miss are sidecars, and one <c>statx</c> settles those before
    /// <c>realpath</c> walks every component.</summary>
    private bool TryLocate(string mapped, out string real, out FileFacts facts)
    {
        real = string.Empty;
        if (!FileProbe.TryStat(mapped, out facts))
        {
            return false;
        }

        string? resolved = FileProbe.RealPath(mapped);
        if (resolved is null || !SafePath.IsWithin(_root, resolved))
        {
            return false;
        }

        real = resolved;
        return true;
    }

    // The trailing slash is read from relativePath when there is one; an empty relativePath (the mount
    // prefix itself) leaves the decision to the full request path, and with no path at all there is no
    // slash-less URL to correct.
    private static bool NamesDirectory(HttpRequest request, string relativePath) =>
        relativePath.Length > 0
            ? relativePath.EndsWith('/')
            : request.PathBase.Add(request.Path).Value is not { Length: > 0 } path || path.EndsWith('/');

    /// <summary>301 to the same path with a slash, query kept, so relative links inside index.html resolve
    /// against the directory. The Location is a path without scheme or host (allowed by RFC 9110 §10.2.2),
    /// so no Host header is trusted and no proxy in front gets the scheme wrong.</summary>
    private static void RedirectToDirectory(HttpRequest request, HttpResponse response, string relativePath)
    {
        PathString path = request.PathBase.Add(request.Path);
        if (!path.HasValue)
        {
            path = new PathString("/" + relativePath.TrimStart('/'));
        }

        // "//evil.example" would read as a scheme-relative URL to another host: an open redirect.
        string target = "/" + path.ToUriComponent().TrimStart('/');
        if (!target.EndsWith('/'))
        {
            target += "/";
        }

        response.Headers.Location = target + request.QueryString.ToUriComponent();
        Finish(response, StatusCodes.Status301MovedPermanently);
    }

    private static void Finish(HttpResponse response, int status)
    {
        response.StatusCode = status;
        response.ContentLength = 0;
    }
}
