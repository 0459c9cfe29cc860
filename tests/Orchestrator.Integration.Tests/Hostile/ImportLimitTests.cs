using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Core.Items;
using Orchestrator.Testing;
using static Orchestrator.Integration.Tests.Hostile.HostileRun;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>
/// An imported record is held to the limits typed input is held to (a 20 MB description, priority
/// 99 and created_at "notadate" were accepted, and every later write took seconds): the file is
/// refused whole, naming FILE:LINE, the item and the field, and the ledger does not change.
/// </summary>
public sealed class ImportLimitTests(RefusalWorkspace shared) : IClassFixture<RefusalWorkspace>
{
    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());

    private static JsonArray Dependencies(int n) => new(Enumerable.Range(0, n).Select(i =>
        (JsonNode)new JsonObject { ["issue_id"] = "hq-bad", ["depends_on_id"] = $"hq-d{i}", ["type"] = "related" }).ToArray());

    private static JsonArray OneComment(string text, string at) => new(new JsonObject { ["id"] = 1, ["issue_id"] = "hq-bad", ["author"] = "x", ["text"] = text,
        ["created_at"] = at });

    /// <summary>What is wrong with the record on line 2, set on an otherwise good record, and the message expected.</summary>
    public static TheoryData<string, string> Cases() => new()
    {
        { "description=" + new string('d', 20 * 1024 * 1024), "description: is 20,971,520 characters long; the limit is 262,144" },
        { "notes=" + new string('n', ItemLimits.TextLength + 1), "notes: is 262,145 characters long; the limit is 262,144" },
        { "priority=99", "priority: 99 is out of range (0-4, 0 is most urgent)" },
        { "priority=-1", "priority: -1 is out of range (0-4, 0 is most urgent)" },
        { "created_at=notadate", "created_at: 'notadate' is not a date" },
        { "defer_until=someday", "defer_until: 'someday' is not a date" },
        { "title=", "title: must not be empty" },
        { "title=" + new string('t', ItemLimits.TitleLength + 1), "title: is 501 characters long; the limit is 500" },
        { "status=finished", "status: unknown status 'finished'" },
        { "issue_type=bad type!", "issue_type: 'bad type!' is not a type" },
        { "assignee=" + new string('a', ItemLimits.NameLength + 1), "assignee: is 129 characters long; the limit is 128" },
        { "labels*101", "labels: 101 labels; the limit is 100 per item" },
        { "labels=" + new string('l', ItemLimits.LabelLength + 1), "labels: is 65 characters long; the limit is 64" },
        { "files=.git", "files: '.git' is inside .git" },
        { "files=.git/hooks/pre-commit", "files: '.git/hooks/pre-commit' is inside .git" },
        { "files=../outside", "files: '../outside' leaves the rig's repository" },
        { "files=/etc/passwd", "files: '/etc/passwd' is an absolute path" },
        { "files*501", "files: 501 files; the limit is 500 per item" },
        { "dependencies*501", "dependencies: 501 dependencies; the limit is 500 per item" },
        { "comment-date=yesterday", "comments.created_at: 'yesterday' is not a date" },
        { "comment-text=" + new string('c', ItemLimits.TextLength + 1), "comments.text: is 262,145 characters long; the limit is 262,144" },
        { "unknown=" + new string('u', ItemLimits.UnknownFieldsLength), "fields orc does not know hold 262,147 characters together; the limit is 262,144" },
    };

    private static string BadLine(string change)
    {
        var o = JsonNode.Parse(HostileCorpus.ItemLine("hq-bad", "bad"))!.AsObject();
        var (key, value) = change.IndexOf('=') is > 0 and var eq ? (change[..eq], change[(eq + 1)..]) : (change, "");
        switch (key)
        {
            case "priority": o["priority"] = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "labels": o["labels"] = Strings([value]); break;
            case "files": o["files"] = Strings([value]); break;
            case "labels*101": o["labels"] = Strings(Enumerable.Range(0, 101).Select(i => "l" + i)); break;
            case "files*501": o["files"] = Strings(Enumerable.Range(0, 501).Select(i => "src/f" + i)); break;
            case "dependencies*501": o["dependencies"] = Dependencies(501); break;
            case "comment-date": o["comments"] = OneComment("fine", value); break;
            case "comment-text": o["comments"] = OneComment(value, "2026-01-01T00:00:00Z"); break;
            case "unknown": o["x"] = value; break; // with its name and quotes: 3 characters more than the value
            default: o[key] = value; break;
        }
        return o.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_record_over_a_limit_is_refused_with_file_line_and_field_and_nothing_is_imported(string change, string expected)
    {
        var ws = shared.Ws;
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());
        var file = Path.Combine(Path.GetTempPath(), $"orc-import-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllText(file, HostileCorpus.ItemLine("hq-good", "fine") + "\n" + BadLine(change) + "\n");
            var r = ws.Orc("import", file);
            Assert.Equal(1, r.ExitCode);
            AssertRefused(ws, before, commits, r, $"{file}:2: item hq-bad: {expected}");
            Assert.EndsWith("; nothing imported\n", r.Err);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_record_at_every_limit_imports_and_keeps_its_unknown_fields()
    {
        using var ws = new TempWorkspace();
        var o = JsonNode.Parse(HostileCorpus.ItemLine("hq-full", new string('t', ItemLimits.TitleLength), description: new string('d',
            ItemLimits.TextLength)))!.AsObject();
        o["priority"] = 4;
        o["labels"] = Strings(Enumerable.Range(0, ItemLimits.Labels).Select(i => $"{i:D3}" + new string('l', ItemLimits.LabelLength - 3)));
        o["files"] = Strings(Enumerable.Range(0, ItemLimits.Files).Select(i => $"src/f{i}.cs"));
        o["dependencies"] = Dependencies(ItemLimits.Dependencies);
        o["estimated_minutes"] = 90;
        o["metadata"] = new JsonObject { ["from"] = "beads", ["k"] = new JsonArray(1, 2) };
        var file = Path.Combine(ws.Root, "full.jsonl");
        File.WriteAllText(file, o.ToJsonString() + "\n");

        var r = ws.Orc("import", file);
        Assert.True(r.ExitCode == 0, r.ToString());
        var line = ws.LedgerText().TrimEnd('\n');
        Assert.Equal(o.ToJsonString(), line); // byte for byte, unknown fields and all
    }

    [Fact]
    public void A_merge_with_the_ledger_that_would_pass_a_limit_is_refused()
    {
        using var ws = new TempWorkspace();
        var first = JsonNode.Parse(HostileCorpus.ItemLine("hq-m", "merged", labels: [.. Enumerable.Range(0, 60).Select(i => "a" + i)]))!.AsObject();
        var second = JsonNode.Parse(HostileCorpus.ItemLine("hq-m", "merged", labels: [.. Enumerable.Range(0, 60).Select(i => "b" + i)]))!.AsObject();
        second["updated_at"] = "2026-02-01T00:00:00Z";
        var file = Path.Combine(ws.Root, "in.jsonl");
        File.WriteAllText(file, first.ToJsonString() + "\n");
        Assert.Equal(0, ws.Orc("import", file).ExitCode);
        var (before, commits) = (ws.LedgerBytes(), ws.CommitCount());

        File.WriteAllText(file, second.ToJsonString() + "\n");
        AssertRefused(ws, before, commits, ws.Orc("import", file),
            "item hq-m, merged with the ledger's: labels: 120 labels; the limit is 100 per item; nothing imported");

        // Two lines of one id in the file are merged before the lock, and checked the same way.
        File.WriteAllText(file, first.ToJsonString() + "\n" + second.ToJsonString() + "\n");
        using var fresh = new TempWorkspace();
        var (empty, none) = (fresh.LedgerBytes(), fresh.CommitCount());
        AssertRefused(fresh, empty, none, fresh.Orc("import", file),
            $"{file}:2: item hq-m: labels: 120 labels; the limit is 100 per item (its lines merged into one item); nothing imported");
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(fresh.Orc("item", "list", "--json").Out).RootElement.ValueKind);
    }
}
