using System.Globalization;

namespace Orchestrator.Core.Items;

/// <summary>RFC 3339 timestamps as the ledger stores them (strings, kept as written).</summary>
public static class Timestamps
{
    public static string Format(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses RFC 3339 with up to nanosecond fractions (Go writes nine digits), or a plain date.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        var dot = s.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
            if (end - dot - 1 > 7) s = s[..(dot + 8)] + s[end..];
        }
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
    }

    /// <summary>Orders two stored timestamps in time; unparsable or missing ones come first.</summary>
    public static int Compare(string? a, string? b)
    {
        var ha = TryParse(a, out var ta);
        var hb = TryParse(b, out var tb);
        if (ha && hb) return ta.CompareTo(tb);
        if (ha) return 1;
        if (hb) return -1;
        return string.CompareOrdinal(a, b);
    }
}
