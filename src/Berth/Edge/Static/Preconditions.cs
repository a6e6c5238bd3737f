using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Berth.Edge.Static;

/// <summary>What the conditional request headers make of a GET or HEAD.</summary>
internal enum PreconditionOutcome
{
    Proceed,
    NotModified,        // 304
    PreconditionFailed, // 412
}

/// <summary>Conditional requests, evaluated in the order RFC 9110 §13.2.2 prescribes. All dates are whole
/// seconds: that is all an HTTP-date can say.</summary>
internal static class Preconditions
{
    /// <summary>Steps 1–4 of §13.2.2: If-Match, else If-Unmodified-Since (412 when they fail, as nginx
    /// does); then If-None-Match, else If-Modified-Since (304). If-None-Match takes precedence because an
    /// ETag is exact and a date is only as good as a one-second clock.</summary>
    public static PreconditionOutcome Evaluate(IHeaderDictionary headers, string etag, DateTimeOffset lastModified, DateTimeOffset now)
    {
        StringValues ifMatch = headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (!EntityTag.AnyMatches(ifMatch, etag, weakComparison: false))
            {
                return PreconditionOutcome.PreconditionFailed;
            }
        }
        else if (TryReadDate(headers.IfUnmodifiedSince, out DateTimeOffset unmodifiedSince) && lastModified > unmodifiedSince)
        {
            return PreconditionOutcome.PreconditionFailed;
        }

        StringValues ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            return EntityTag.AnyMatches(ifNoneMatch, etag, weakComparison: true)
                ? PreconditionOutcome.NotModified
                : PreconditionOutcome.Proceed;
        }

        // A date in the future cannot be a Last-Modified we sent; trusting it would hide every change made
        // until then (RFC 2616 §14.25 called such a date invalid; RFC 9110 leaves it to us).
        if (TryReadDate(headers.IfModifiedSince, out DateTimeOffset modifiedSince)
            && modifiedSince <= now
            && lastModified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Proceed;
    }

    /// <summary>Step 5: may a Range be honoured? Yes without If-Range; with it, only when it names the
    /// current representation. An entity tag must match strongly (§13.1.5); a date must equal Last-Modified
    /// exactly, and Last-Modified must be a strong validator, i.e. at least a second older than now
    /// (§8.8.2.2), or two writes within that second could be stitched into one download.</summary>
    public static bool AllowsRange(IHeaderDictionary headers, string etag, DateTimeOffset lastModified, DateTimeOffset now)
    {
        StringValues ifRange = headers.IfRange;
        if (ifRange.Count == 0)
        {
            return true;
        }

        ReadOnlySpan<char> value = ifRange.Count == 1 ? ifRange[0].AsSpan().Trim(" \t") : [];
        if (value.StartsWith("\"", StringComparison.Ordinal) || value.StartsWith("W/", StringComparison.Ordinal))
        {
            return EntityTag.StrongEquals(value, etag);
        }

        return HeaderUtilities.TryParseDate(value.ToString(), out DateTimeOffset date)
            && date == lastModified
            && lastModified <= now.AddSeconds(-1);
    }

    // §13.1.3, §13.1.4: a field with more than one member, or that is not an HTTP-date, is ignored.
    private static bool TryReadDate(StringValues field, out DateTimeOffset date)
    {
        date = default;
        return field.Count == 1 && HeaderUtilities.TryParseDate(field[0], out date);
    }
}
