using System.Buffers;
using System.Text;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Services.Ledger;

/// <summary>
/// git's merge driver for ledger files (<c>orc merge-driver %O %A %B %P</c>): merges by item id
/// into the "ours" file, never leaving conflict markers. Lines that did not parse on either side
/// are carried into the result unchanged, so the next write quarantines them instead of losing them.
/// </summary>
public static class LedgerMergeDriver
{
    public sealed record Result(int Items, IReadOnlyList<string> Warnings);

    public static Result Run(string basePath, string oursPath, string theirsPath, string? displayPath)
    {
        var name = displayPath ?? oursPath;
        var b = Load(basePath);
        var o = Load(oursPath);
        var t = Load(theirsPath);
        var merged = LedgerMerge.Merge(b, o, t);
        var buffer = new ArrayBufferWriter<byte>();
        LedgerCodec.WriteLedger(buffer, merged.Items);
        var warnings = new List<string>();
        var carried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in o.Errors.Concat(t.Errors))
        {
            if (!carried.Add(e.RawText)) continue;
            buffer.Write(Encoding.UTF8.GetBytes(e.RawText + "\n"));
            warnings.Add($"{name}: kept an unreadable line as is ({e.Message})");
        }
        foreach (var cycle in new DependencyGraph(merged).FindCycles())
            warnings.Add($"{name}: the merge leaves a dependency cycle: {DependencyGraph.Describe(cycle)}");
        AtomicFile.Write(oursPath, buffer.WrittenSpan);
        return new Result(merged.Count, warnings);
    }

    private static LedgerDocument Load(string path) =>
        File.Exists(path) ? LedgerDocument.Parse(File.ReadAllBytes(path)) : new LedgerDocument();
}
