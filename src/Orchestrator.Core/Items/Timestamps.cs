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
        if (TryParseRfc3339(text, out value)) return true;
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

    /// <summary>The common shape, YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), read without the general parser.</summary>
    private static bool TryParseRfc3339(string s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] is not ('T' or 't' or ' ') || s[13] != ':' || s[16] != ':') return false;
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day) ||
            !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)) return false;
        var i = 19;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var scale = 1_000_000L;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (scale > 0) { fractionTicks += (s[i] - '0') * scale; scale /= 10; }
                i++;
            }
            if (i == start) return false;
        }
        TimeSpan offset;
        if (i == s.Length - 1 && s[i] is 'Z' or 'z') offset = TimeSpan.Zero;
        else if (i == s.Length - 6 && s[i] is '+' or '-' && s[i + 3] == ':' && Digits(s, i + 1, 2, out var oh) && Digits(s, i + 4, 2, out var om))
            offset = new TimeSpan(s[i] == '-' ? -oh : oh, s[i] == '-' ? -om : om, 0);
        else return false;
        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(fractionTicks);
            return true;
        }
        catch (ArgumentOutOfRangeException) { return false; }
    }

    private static bool Digits(string s, int start, int count, out int value)
    {
        value = 0;
        for (var k = start; k < start + count; k++)
        {
            if (!char.IsAsciiDigit(s[k])) return false;
            value = value * 10 + (s[k] - '0');
        }
        return true;
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
