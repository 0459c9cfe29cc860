namespace Orchestrator.Cli.Output;

/// <summary>
/// A table as the list verbs print it: a header row (unless <c>--no-headers</c>), columns as wide as
/// their longest value, two spaces between them, the last column unpadded. Cells must already be
/// one line of safe text (<see cref="Core.Text.TerminalText.Line"/>). When a terminal is narrower
/// than the table, the free-text columns are cut at their end first, then the widest of the others
/// in their middle ("refinery@app-web" → "refi…app-web"), so names that differ at either end stay
/// told apart.
/// </summary>
internal sealed class Table
{
    /// <summary>A column: its header, and whether it holds free text (cut at the end) rather than names (cut in the middle).</summary>
    public sealed record Column(string Header, bool Text = false);

    private const string Gap = "  ";
    private const int MinWidth = 6;
    private readonly Column[] _columns;
    private readonly List<string[]> _rows = [];

    public Table(params Column[] columns) => _columns = columns;

    public int Count => _rows.Count;

    public void Add(params string?[] cells)
    {
        if (cells.Length != _columns.Length) throw new ArgumentException($"a row of {cells.Length} cells in a table of {_columns.Length} columns");
        _rows.Add(cells.Select(c => c ?? "").ToArray());
    }

    /// <summary>Writes the table; <paramref name="width"/> is the terminal's width (null: no limit).</summary>
    public void Write(TextWriter o, bool headers = true, int? width = null)
    {
        foreach (var line in Lines(headers, width)) o.WriteLine(line);
    }

    public IEnumerable<string> Lines(bool headers = true, int? width = null)
    {
        if (_rows.Count == 0) yield break;
        // A column no row has a value in is left out, header and all.
        var shown = Enumerable.Range(0, _columns.Length).Where(i => _rows.Any(r => r[i].Length > 0)).ToArray();
        var columns = shown.Select(i => _columns[i]).ToArray();
        var all = (headers ? _rows.Prepend(_columns.Select(c => c.Header).ToArray()) : _rows).Select(r => shown.Select(i => r[i]).ToArray()).ToList();
        var widths = Enumerable.Range(0, columns.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        if (width is { } limit) Fit(columns, widths, limit);
        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => Cut(cell, widths[i], columns[i].Text)).ToArray();
            var last = Array.FindLastIndex(cells, c => c.Length > 0);
            var line = string.Join(Gap, cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
            yield return last < 0 ? "" : line.TrimEnd();
        }
    }

    /// <summary>Narrows <paramref name="widths"/> until a row fits <paramref name="limit"/>: free text first, then the widest column, never below a few
    /// characters.</summary>
    private static void Fit(Column[] columns, int[] widths, int limit)
    {
        int Total() => widths.Sum() + Gap.Length * (widths.Length - 1);
        for (var i = widths.Length - 1; i >= 0 && Total() > limit; i--)
            if (columns[i].Text) widths[i] = Math.Max(Math.Min(widths[i], MinWidth * 2), widths[i] - (Total() - limit));
        while (Total() > limit)
        {
            var widest = Array.IndexOf(widths, widths.Max());
            if (widths[widest] <= MinWidth) break;
            widths[widest]--;
        }
    }

    /// <summary><paramref name="s"/> in at most <paramref name="width"/> characters: cut at the end (text) or in the middle (a name), marked with
    /// "…".</summary>
    public static string Cut(string s, int width, bool text)
    {
        if (s.Length <= width) return s;
        if (width <= 1) return width == 1 ? "…" : "";
        if (text) return s[..(width - 1)] + "…";
        var tail = (width - 1) / 2;
        var head = width - 1 - tail;
        return s[..head] + "…" + s[^tail..];
    }
}
