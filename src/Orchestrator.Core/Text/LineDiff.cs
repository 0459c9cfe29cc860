using System.Text;

namespace Orchestrator.Core.Text;

/// <summary>
/// A unified diff of two texts, computed here rather than by libgit2's patch callbacks (which abort
/// under NativeAOT). Common lines at both ends are matched first; the middle is matched by longest
/// common subsequence when it is small enough, else shown as removed then added (still a correct diff).
/// </summary>
public static class LineDiff
{
    /// <summary>Above this many cells (old × new middle lines) the middle is not matched line by line.</summary>
    private const long MaxCells = 4_000_000;

    /// <summary>The hunks of a unified diff (from the first "@@" line), and the lines added and removed.</summary>
    public sealed record Result(string Hunks, int Added, int Removed);

    public static Result Unified(string? before, string? after, int context = 3)
    {
        var a = Lines(before);
        var b = Lines(after);
        var ops = Script(a, b);
        var added = ops.Count(o => o.Kind == '+');
        var removed = ops.Count(o => o.Kind == '-');
        return new Result(Hunks(ops, context), added, removed);
    }

    private static string[] Lines(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private readonly record struct Op(char Kind, string Text, int OldLine, int NewLine);

    private static List<Op> Script(string[] a, string[] b)
    {
        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start]) start++;
        var endA = a.Length;
        var endB = b.Length;
        while (endA > start && endB > start && a[endA - 1] == b[endB - 1]) { endA--; endB--; }
        var ops = new List<Op>();
        for (var i = 0; i < start; i++) ops.Add(new Op(' ', a[i], i + 1, i + 1));
        int n = endA - start, m = endB - start;
        if ((long)n * m <= MaxCells && n > 0 && m > 0)
        {
            // lcs[i, j]: the longest common subsequence of a[start+i..endA) and b[start+j..endB).
            var lcs = new int[n + 1, m + 1];
            for (var i = n - 1; i >= 0; i--)
                for (var j = m - 1; j >= 0; j--)
                    lcs[i, j] = a[start + i] == b[start + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[start + x] == b[start + y]) { ops.Add(new Op(' ', a[start + x], start + x + 1, start + y + 1)); x++; y++; }
                // removals first, as git shows them
                else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1])) { ops.Add(new Op('-', a[start + x], start + x + 1, start + y + 1)); x++; }
                else { ops.Add(new Op('+', b[start + y], start + x + 1, start + y + 1)); y++; }
            }
        }
        else
        {
            for (var i = 0; i < n; i++) ops.Add(new Op('-', a[start + i], start + i + 1, start + 1));
            for (var j = 0; j < m; j++) ops.Add(new Op('+', b[start + j], endA + 1, start + j + 1));
        }
        for (int i = endA, j = endB; i < a.Length; i++, j++) ops.Add(new Op(' ', a[i], i + 1, j + 1));
        return ops;
    }

    private static string Hunks(List<Op> ops, int context)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Kind == ' ') { i++; continue; }
            var first = Math.Max(0, i - context);
            // Extend the hunk while the next change is within 2 × context lines.
            var last = i;
            var k = i;
            while (k < ops.Count)
            {
                if (ops[k].Kind != ' ') { last = k; k++; continue; }
                var run = k;
                while (run < ops.Count && ops[run].Kind == ' ') run++;
                if (run < ops.Count && run - k <= 2 * context) { k = run; continue; }
                break;
            }
            var end = Math.Min(ops.Count, last + 1 + context);
            var hunk = ops.GetRange(first, end - first);
            var oldCount = hunk.Count(o => o.Kind != '+');
            var newCount = hunk.Count(o => o.Kind != '-');
            var oldStart = oldCount == 0 ? hunk[0].OldLine - 1 : hunk.First(o => o.Kind != '+').OldLine;
            var newStart = newCount == 0 ? hunk[0].NewLine - 1 : hunk.First(o => o.Kind != '-').NewLine;
            sb.Append($"@@ -{oldStart},{oldCount} +{newStart},{newCount} @@\n");
            foreach (var o in hunk) sb.Append(o.Kind).Append(o.Text).Append('\n');
            i = end;
        }
        return sb.ToString();
    }
}
