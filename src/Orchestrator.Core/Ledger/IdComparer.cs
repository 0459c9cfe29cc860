namespace Orchestrator.Core.Ledger;

/// <summary>
/// Orders ids the way a reader expects: by prefix and hash, then child numbers numerically
/// (<c>hq-a1.2</c> before <c>hq-a1.10</c>). The ledger file is kept in this order.
/// </summary>
public sealed class IdComparer : IComparer<string>
{
    public static readonly IdComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var xs = x.AsSpan();
        var ys = y.AsSpan();
        var first = true;
        while (true)
        {
            var xi = xs.IndexOf('.');
            var yi = ys.IndexOf('.');
            var xseg = xi < 0 ? xs : xs[..xi];
            var yseg = yi < 0 ? ys : ys[..yi];
            int c;
            if (!first && long.TryParse(xseg, out var xn) && long.TryParse(yseg, out var yn))
                c = xn.CompareTo(yn);
            else
                c = xseg.CompareTo(yseg, StringComparison.Ordinal);
            if (c != 0) return c;
            if (xi < 0 && yi < 0) return 0;
            if (xi < 0) return -1;
            if (yi < 0) return 1;
            xs = xs[(xi + 1)..];
            ys = ys[(yi + 1)..];
            first = false;
        }
    }
}
