using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;

namespace Orchestrator.Core.Tests;

/// <summary>Builds ledgers from JSON lines and writes them back, for the tests.</summary>
internal static class TestLedger
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static LedgerDocument Doc(params string[] lines) => Parse(string.Join("\n", lines));

    public static LedgerDocument Parse(string text) => LedgerDocument.Parse(Encoding.UTF8.GetBytes(text));

    public static string Write(LedgerDocument doc) => Write(doc.Items);

    public static string Write(IEnumerable<WorkItem> items) => Encoding.UTF8.GetString(WriteBytes(items));

    public static byte[] WriteBytes(IEnumerable<WorkItem> items)
    {
        var buf = new ArrayBufferWriter<byte>();
        LedgerCodec.WriteLedger(buf, items);
        return buf.WrittenSpan.ToArray();
    }

    public static (string On, string Type) Dep(string on, string type = DependencyTypes.Blocks) => (on, type);

    /// <summary>One ledger line for an item, with the fields the graph and merge tests care about.</summary>
    public static string Item(
        string id,
        string status = Statuses.Open,
        int priority = 2,
        string created = "2026-01-01T00:00:00Z",
        string? updated = null,
        string? deferUntil = null,
        string? title = null,
        params (string On, string Type)[] deps)
    {
        var o = new JsonObject
        {
            ["id"] = id,
            ["title"] = title ?? $"Item {id}",
            ["status"] = status,
            ["priority"] = priority,
            ["issue_type"] = "task",
            ["created_at"] = created,
            ["updated_at"] = updated ?? created,
        };
        if (deferUntil is not null) o["defer_until"] = deferUntil;
        if (deps.Length > 0)
        {
            o["dependencies"] = new JsonArray(deps
                .Select(d => (JsonNode)new JsonObject { ["issue_id"] = id, ["depends_on_id"] = d.On, ["type"] = d.Type })
                .ToArray());
        }
        return o.ToJsonString();
    }

    public static List<string> Ids(IEnumerable<WorkItem> items) => items.Select(i => i.Id).ToList();
}
