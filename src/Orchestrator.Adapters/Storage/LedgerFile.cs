using System.Buffers;
using System.Text;
using Orchestrator.Core;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Adapters.Storage;

/// <summary>
/// The ledger file on disk (<c>ledger/issues.jsonl</c>). Loading never fails on a bad line: the
/// line is reported with its number and, on the next save, moved to the quarantine file beside
/// the ledger (with the reason), never silently dropped.
/// </summary>
public sealed class LedgerFile(string path, string quarantinePath)
{
    public string Path { get; } = path;
    public string QuarantinePath { get; } = quarantinePath;

    public LedgerDocument Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.Exists(Path) ? File.ReadAllBytes(Path) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{Path}: cannot read the ledger: {ex.Message}");
        }
        return LedgerDocument.Parse(bytes);
    }

    /// <summary>Reads the raw bytes (for the fast read path of <c>ready --json</c>).</summary>
    public byte[] ReadBytes() => File.Exists(Path) ? File.ReadAllBytes(Path) : [];

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
        var buffer = new ArrayBufferWriter<byte>(Math.Max(4096, ledger.Count * 400));
        LedgerCodec.WriteLedger(buffer, ledger.Items);
        AtomicFile.Write(Path, buffer.WrittenSpan);
        return moved;
    }
}
