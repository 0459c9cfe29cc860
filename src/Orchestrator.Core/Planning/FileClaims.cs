using Microsoft.Extensions.FileSystemGlobbing;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Planning;

/// <summary>
/// The files a work item claims to own, written as a path (<c>cli.py</c>), a folder (<c>docs/</c>)
/// or a glob (<c>src/**/*.cs</c>), always relative to the item's rig. Matching is done by
/// <see cref="Matcher"/> over in-memory file lists, case-sensitively. The matcher has no single-character
/// wildcard, so <c>?</c> is matched as <c>*</c>: a claim may name more than it says, never less,
/// which is the safe side for predicting conflicts.
/// </summary>
public static class FileClaims
{
    private const string AnyDepth = "**";
    private const string MatchRoot = "/rig";

    /// <summary>
    /// Normalises a claimed pattern: trims, backslashes to '/', strips a leading "./", collapses
    /// repeated '/'; a trailing '/' is kept and means a folder (everything under it).
    /// </summary>
    /// <exception cref="OrcException">The pattern is empty, or breaks the path rule (<see cref="WorkItemRules.File"/>).</exception>
    public static string Normalize(string pattern)
    {
        var trimmed = (pattern ?? "").Trim();
        var segments = trimmed.Replace('\\', '/').Split('/').Where(s => s is not ("" or ".")).ToList();
        if (segments.Count == 0) throw new OrcException($"file claim '{Text.TerminalText.Line(pattern)}' is empty");
        var text = WorkItemRules.File(trimmed, "file claim");
        return string.Join('/', segments) + (text.EndsWith('/') ? "/" : "");
    }

    /// <summary>
    /// The files of <paramref name="files"/> (rig-relative, '/' separators) claimed by
    /// <paramref name="pattern"/>: the file itself, everything under a folder ("docs/", or "docs" when
    /// it is a folder), or what a glob with *, ** or ? matches. Sorted ordinally.
    /// </summary>
    public static IReadOnlyList<string> Expand(string pattern, IReadOnlyCollection<string> files)
    {
        var claim = Normalize(pattern);
        var folder = claim.EndsWith('/');
        var result = new List<string>();
        if (!IsGlob(claim))
        {
            var under = folder ? claim : claim + "/";
            foreach (var f in files)
                if ((!folder && f == claim) || f.StartsWith(under, StringComparison.Ordinal)) result.Add(f);
        }
        else
        {
            // Only files under the glob's literal directory can match: the matcher sees just those.
            var prefix = LiteralDirectory(claim);
            var candidates = files.Where(f => f.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            if (candidates.Count > 0)
            {
                var matcher = new Matcher(StringComparison.Ordinal);
                matcher.AddInclude(MatcherPattern(claim));
                foreach (var match in matcher.Match(MatchRoot, candidates).Files)
                    if (candidates.Contains(match.Path)) result.Add(match.Path);
            }
        }
        result.Sort(StringComparer.Ordinal);
        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// True when the two patterns can name a common path even if no file exists yet: equal, one a
    /// folder holding the other, or globs that could match the same path. A path without a trailing
    /// '/' may also be a folder. When unsure, they overlap.
    /// </summary>
    public static bool PatternsOverlap(string a, string b) => NormalizedOverlap(Normalize(a), Normalize(b));

    /// <summary><see cref="PatternsOverlap"/> for patterns already normalised.</summary>
    internal static bool NormalizedOverlap(string a, string b)
    {
        if (a == b) return true;
        foreach (var x in Shapes(a))
            foreach (var y in Shapes(b))
                if (Intersect(x, y)) return true;
        return false;
    }

    internal static bool IsGlob(string claim) => claim.AsSpan().IndexOfAny('*', '?') >= 0;

    private static string MatcherPattern(string claim) => claim.Replace('?', '*') + (claim.EndsWith('/') ? AnyDepth : "");

    /// <summary>The part of a glob up to the last '/' before its first wildcard ("" at the top).</summary>
    private static string LiteralDirectory(string claim)
    {
        var wild = claim.AsSpan().IndexOfAny('*', '?');
        var slash = claim.LastIndexOf('/', wild);
        return slash < 0 ? "" : claim[..(slash + 1)];
    }

    /// <summary>
    /// The pattern as segment lists, any of which it may mean. Everything under a folder is
    /// "folder/**/*" (at least one segment more); a path without wildcards is that file or that folder.
    /// </summary>
    private static List<string[]> Shapes(string claim)
    {
        var segments = claim.TrimEnd('/').Split('/');
        string[] under = [.. segments, AnyDepth, "*"];
        if (claim.EndsWith('/')) return [under];
        return IsGlob(claim) ? [segments] : [segments, under];
    }

    /// <summary>Whether some path matches both segment patterns ("**" is any number of segments).</summary>
    private static bool Intersect(string[] a, string[] b)
    {
        var memo = new bool?[a.Length + 1, b.Length + 1];
        return From(0, 0);

        bool From(int i, int j)
        {
            if (memo[i, j] is { } known) return known;
            bool result;
            if (i == a.Length) result = b.Skip(j).All(s => s == AnyDepth);
            else if (j == b.Length) result = a.Skip(i).All(s => s == AnyDepth);
            else if (a[i] == AnyDepth) result = From(i + 1, j) || From(i, j + 1);
            else if (b[j] == AnyDepth) result = From(i, j + 1) || From(i + 1, j);
            else result = SegmentsMeet(a[i], b[j]) && From(i + 1, j + 1);
            memo[i, j] = result;
            return result;
        }
    }

    /// <summary>Whether one path segment can match both; for two wildcard segments, a conservative guess.</summary>
    private static bool SegmentsMeet(string x, string y)
    {
        var xGlob = IsGlob(x);
        var yGlob = IsGlob(y);
        if (!xGlob && !yGlob) return x == y;
        if (xGlob && yGlob)
        {
            // Necessary conditions only: the literal starts agree, and the literal ends agree.
            var (xs, ys) = (x[..x.AsSpan().IndexOfAny('*', '?')], y[..y.AsSpan().IndexOfAny('*', '?')]);
            var (xe, ye) = (x[(x.AsSpan().LastIndexOfAny('*', '?') + 1)..], y[(y.AsSpan().LastIndexOfAny('*', '?') + 1)..]);
            return (xs.StartsWith(ys, StringComparison.Ordinal) || ys.StartsWith(xs, StringComparison.Ordinal))
                && (xe.EndsWith(ye, StringComparison.Ordinal) || ye.EndsWith(xe, StringComparison.Ordinal));
        }
        var (glob, name) = xGlob ? (x, y) : (y, x);
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(glob.Replace('?', '*'));
        return matcher.Match(MatchRoot, [name]).HasMatches;
    }
}
