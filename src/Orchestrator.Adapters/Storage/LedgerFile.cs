using System.Buffers;
using System.Text;
using Orchestrator.Core;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// The ledger file on disk (<c>ledger/issues.jsonl</c>). Loading never fails on a bad line: the
/// line is reported with its number and, on the next save, moved to the quarantine file beside
/// the ledger (with the reason), never silently dropped. Conflict blocks a merge without orc's
/// merge driver left are merged by item id, against the base <paramref name="conflictBase"/>
/// gives (git's, read only then), and the next save stores the result.
/// </summary>
public sealed class LedgerFile(string path, string quarantinePath, string? indexPath = null, Func<byte[]?>? conflictBase = null)
{
    public string Path { get; } = path;
    public string QuarantinePath { get; } = quarantinePath;

    public LedgerDocument Load() => Load(out _);

    /// <summary>Loads the ledger; <paramref name="bytes"/> is the file as it was read (what a failed change puts back).</summary>
    public LedgerDocument Load(out byte[] bytes)
    {
        bytes = ReadAll();
        return Parse(bytes) ?? LedgerDocument.ParseDeferred(bytes);
    }

    /// <summary>The ledger of a file with conflict blocks, merged; null for any other file.</summary>
    private LedgerDocument? Parse(byte[] bytes) =>
        LedgerConflict.Split(bytes) is { } sides
            ? LedgerConflict.Resolve(sides, sides.Base is null ? conflictBase?.Invoke() : null)
            : null;

    /// <summary>
    /// Loads only what queries need (see <see cref="LedgerDocument.ParseSummary"/>), from the
    /// index cache when it was built from exactly the bytes the ledger holds now (its fingerprint),
    /// else by parsing (and then refreshing the cache, with the answers that depend on the
    /// content alone: see <see cref="LedgerAnswers"/>). The cache is never trusted over the ledger.
    /// </summary>
    public LedgerDocument LoadSummary()
    {
        var bytes = ReadAll();
        if (indexPath is null) return Parse(bytes) ?? LedgerDocument.ParseSummary(bytes);
        var fingerprint = LedgerIndex.Fingerprint(bytes);
        try
        {
            // Only a file without conflict blocks is ever indexed, so these very bytes have none.
            if (File.Exists(indexPath) && LedgerIndex.Read(FileBytes.ReadAll(indexPath), bytes, fingerprint) is { } cached) return cached;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        if (Parse(bytes) is { } resolved) return resolved;
        var doc = LedgerDocument.ParseSummary(bytes);
        if (doc.DuplicateIds.Count == 0)
        {
            doc.Answers = new DependencyGraph(doc).Precompute();
            TryWriteIndex(doc, doc.Answers, bytes, fingerprint);
        }
        return doc;
    }

    private void TryWriteIndex(LedgerDocument doc, LedgerAnswers answers, byte[] bytes, ulong fingerprint)
    {
        try
        {
            var index = LedgerIndex.Build(doc, answers, bytes, fingerprint);
            if (index is null) return;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(indexPath)!);
            var temp = indexPath + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temp, index);
            File.Move(temp, indexPath!, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written (read-only workspace) only costs speed.
        }
    }

    private byte[] ReadAll()
    {
        byte[] bytes;
        try
        {
            bytes = File.Exists(Path) ? FileBytes.ReadAll(Path) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{Path}: cannot read the ledger: {ex.Message}");
        }
        return bytes;
    }

    /// <summary>Reads the raw bytes (for the fast read path of <c>ready --json</c>).</summary>
    public byte[] ReadBytes() => File.Exists(Path) ? FileBytes.ReadAll(Path) : [];

    /// <summary>
    /// Writes the document atomically. Lines that did not parse go to the quarantine first, so
    /// they are on disk before the ledger that no longer holds them. Returns how many were moved.
    /// </summary>
    public int Save(LedgerDocument ledger, DateTimeOffset now)
    {
        var moved = 0;
        if (ledger.Errors.Count > 0)
        {
            var sb = new StringBuilder();
            foreach (var e in ledger.Errors)
            {
                sb.Append("# ").Append(Timestamps.Format(now)).Append(' ')
                  .Append(System.IO.Path.GetFileName(Path)).Append(':').Append(e.LineNumber).Append(": ")
                  .Append(e.Message.Replace('\n', ' ')).Append('\n');
                sb.Append(e.RawText.Replace("\n", "\\n")).Append('\n');
            }
            AtomicFile.Append(QuarantinePath, Encoding.UTF8.GetBytes(sb.ToString()));
            moved = ledger.Errors.Count;
            ledger.Errors.Clear();
        }
        AtomicFile.Write(Path, output => LedgerCodec.WriteLedger(output, ledger.Items));
        return moved;
    }
}
