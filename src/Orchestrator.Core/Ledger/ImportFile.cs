using Orchestrator.Core.Items;

namespace Orchestrator.Core.Ledger;

/// <summary>
/// A JSONL file of work items to import (a Beads export, another workspace's ledger). Read and
/// checked whole, before the import takes the workspace lock: every line must read as an item and
/// meet the limits typed input meets (<see cref="WorkItemRules.Record"/>), else the file is
/// refused with FILE:LINE and nothing is imported. Good records keep every field, unknown ones included.
/// </summary>
public static class ImportFile
{
    /// <param name="data">The file's bytes.</param>
    /// <param name="name">How messages name the file (its path as given, or &lt;stdin&gt;).</param>
    /// <exception cref="OrcException">A line that does not read, or a record over a limit.</exception>
    public static LedgerDocument Read(ReadOnlyMemory<byte> data, string name)
    {
        var lines = new List<int>();
        var (items, errors) = LedgerCodec.ReadLines(data, lineNumbers: lines);
        if (errors.Count > 0)
            throw Refusal(name, errors[0].LineNumber, errors[0].Message, errors.Count - 1);

        var bad = new List<(int Line, string Message)>();
        for (var i = 0; i < items.Count; i++)
            if (Problem(items[i]) is { } why) bad.Add((lines[i], why));
        if (bad.Count > 0) throw Refusal(name, bad[0].Line, bad[0].Message, bad.Count - 1);

        // Lines with one id are merged into one item: the merge must meet the limits too.
        var doc = new LedgerDocument(items);
        foreach (var id in doc.DuplicateIds.Distinct())
            if (Problem(doc.Get(id)) is { } why)
                throw Refusal(name, lines[items.FindLastIndex(i => i.Id == id)], $"{why} (its lines merged into one item)", 0);
        return doc;
    }

    private static string? Problem(WorkItem item)
    {
        try { WorkItemRules.Record(item); return null; }
        catch (OrcException ex) { return $"item {item.Id}: {ex.Message}"; }
    }

    private static OrcException Refusal(string name, int line, string message, int more) =>
        new($"{Text.TerminalText.Line(name)}:{line}: {message}{(more > 0 ? $" (and {more} more bad lines)" : "")}; nothing imported");
}
