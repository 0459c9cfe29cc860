using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

public class ImportExportTests
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "beads-export.jsonl");

    [Fact]
    public void A_beads_file_imports_and_exports_without_losing_any_field()
    {
        using var ws = new TempWorkspace();
        var r = ws.Orc("import", Fixture);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("4 added", r.Out);
        var exported = ws.Orc("export");
        Assert.Equal(0, exported.ExitCode);
        var original = File.ReadAllLines(Fixture).Select(l => JsonNode.Parse(l)!).ToList();
        var back = exported.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(original.Count, back.Count);
        foreach (var o in original)
        {
            var id = o["id"]!.GetValue<string>();
            var b = back.Single(x => x["id"]!.GetValue<string>() == id);
            Assert.True(JsonNode.DeepEquals(o, b), $"{id} changed:\n{o.ToJsonString()}\n{b.ToJsonString()}");
        }
        // Untouched lines are written back byte for byte.
        Assert.Equal(File.ReadAllLines(Fixture).Order(StringComparer.Ordinal), exported.Out.Split('\n',
            StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Changing_an_imported_item_keeps_the_fields_orc_does_not_know()
    {
        using var ws = new TempWorkspace();
        ws.Orc("import", Fixture);
        Assert.Equal(0, ws.Orc("item", "comment", "bd-b2", "still flaky").ExitCode);
        var item = JsonNode.Parse(ws.Orc("item", "show", "bd-b2", "--json").Out)![0]!;
        Assert.False(item["wisp"]!.GetValue<bool>());
        Assert.Equal(2, item["comments"]!.AsArray().Count);
        Assert.Equal("+1", item["comments"]![0]!["reactions"]![0]!.GetValue<string>());
        var exportPath = Path.Combine(ws.Root, "out.jsonl");
        Assert.Equal(0, ws.Orc("export", exportPath).ExitCode);
        Assert.Contains("\"estimated_minutes\":90", File.ReadAllText(exportPath));
        Assert.Contains("\"metadata\":{\"why\":\"epic\"}", File.ReadAllText(exportPath));
    }

    [Fact]
    public void Importing_the_same_file_twice_changes_nothing_the_second_time()
    {
        using var ws = new TempWorkspace();
        ws.Orc("import", Fixture);
        var commits = ws.CommitCount();
        var r = ws.Orc("import", Fixture, "--json");
        var summary = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(0, summary.GetProperty("added").GetInt32());
        Assert.Equal(4, summary.GetProperty("unchanged").GetInt32());
        Assert.Equal(commits, ws.CommitCount());
    }

    [Fact]
    public void Invalid_json_on_import_names_the_file_and_line_and_imports_nothing()
    {
        using var ws = new TempWorkspace();
        ws.Create("already here");
        var before = ws.LedgerBytes();
        var bad = Path.Combine(ws.Root, "bad.jsonl");
        File.WriteAllText(bad, "{\"id\":\"x-1\",\"title\":\"fine\"}\n{\"id\":\"x-2\",\"priority\":\"high\"}\nnot json\n");
        var r = ws.Orc("import", bad);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("bad.jsonl:2: field 'priority' must be an integer", r.Err);
        Assert.Contains("1 more bad lines", r.Err);
        Assert.Equal(before, ws.LedgerBytes());
    }

    [Fact]
    public void Escape_sequences_in_imported_text_are_shown_escaped_never_raw()
    {
        using var ws = new TempWorkspace();
        ws.Orc("import", Fixture);
        foreach (var args in new[] { new[] { "item", "show", "bd-b2" }, ["item", "list", "--all"], ["ready"], ["blocked"], ["item", "dep", "tree", "bd-b2"] })
        {
            var r = ws.Orc(args);
            Assert.Equal(0, r.ExitCode);
            Assert.DoesNotContain('\u001b', r.Out);
            Assert.DoesNotContain('\u0007', r.Out);
        }
        Assert.Contains("\\e]0;pwned\\x07", ws.Orc("item", "show", "bd-b2").Out);
        // JSON output carries the text exactly, JSON-escaped.
        Assert.Contains("\\u001b]0;pwned\\u0007", ws.Orc("item", "show", "bd-b2", "--json").Out);
    }
}
