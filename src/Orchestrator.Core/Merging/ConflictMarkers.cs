namespace Orchestrator.Core.Merging;

/// <summary>
/// Whether a new version of a file adds unresolved conflict markers: lines starting
/// <c>&lt;&lt;&lt;&lt;&lt;&lt;&lt; </c> and <c>&gt;&gt;&gt;&gt;&gt;&gt;&gt; </c> (and <c>=======</c>) that the old version
/// did not have. The added lines are the new version's lines less the old one's, counted as a
/// multiset (a line that appears once more than before was added), so no line diff, and no
/// native diff callback, is needed: linear in the size of the two versions.
/// </summary>
public static class ConflictMarkers
{
    private const string Ours = "<<<<<<< ";
    private const string Theirs = ">>>>>>> ";
    private const string Middle = "=======";

    /// <summary>True when <paramref name="after"/> adds both an opening and a closing marker line that <paramref name="before"/> (null: a new file)
    /// lacks.</summary>
    public static bool Added(string? before, string after)
    {
        if (!MayHaveMarkers(after)) return false;
        var old = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in MarkerLines(before ?? "")) old[line] = old.GetValueOrDefault(line) + 1;
        bool opening = false, closing = false;
        foreach (var line in MarkerLines(after))
        {
            if (old.TryGetValue(line, out var n) && n > 0) { old[line] = n - 1; continue; }
            if (line.StartsWith(Ours, StringComparison.Ordinal)) opening = true;
            else if (line.StartsWith(Theirs, StringComparison.Ordinal)) closing = true;
            if (opening && closing) return true;
        }
        return false;
    }

    private static bool MayHaveMarkers(string text) =>
        text.Contains(Ours, StringComparison.Ordinal) && text.Contains(Theirs, StringComparison.Ordinal);

    /// <summary>The lines that look like markers (the only ones the answer depends on), without their line ending.</summary>
    private static IEnumerable<string> MarkerLines(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(Ours, StringComparison.Ordinal) || line.StartsWith(Theirs, StringComparison.Ordinal) || line == Middle) yield return line;
        }
    }
}
