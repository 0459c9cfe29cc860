using System.Text.Json;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

/// <summary>The index cache only ever speeds up queries: a stale or damaged one is never believed.</summary>
public class LedgerIndexTests
{
    private static string[] Ready(TempWorkspace ws) =>
        JsonDocument.Parse(ws.Orc("ready", "--json").Out).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();

    [Fact]
    public void A_query_builds_the_index_and_later_queries_answer_the_same_from_it()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A", "-p", "1");
        var b = ws.Create("B", "--deps", a);
        var index = Path.Combine(ws.Root, ".orc", "cache", "ledger.idx");
        var first = ws.Orc("ready", "--json").Out;
        Assert.True(File.Exists(index));
        Assert.Equal(first, ws.Orc("ready", "--json").Out);
        Assert.Equal([a], Ready(ws));
        Assert.Contains(b, ws.Orc("blocked").Out);
        Assert.True(ws.IsClean(), "the cache is not part of the workspace history");
    }

    [Fact]
    public void A_change_to_the_ledger_makes_the_index_stale_and_it_is_not_used()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A");
        var b = ws.Create("B", "--deps", a);
        Assert.Equal([a], Ready(ws));
        ws.Orc("item", "close", a);
        Assert.Equal([b], Ready(ws));
        // A hand edit (same tool, different bytes) is seen too.
        File.WriteAllText(ws.LedgerPath, ws.LedgerText().Replace("\"status\":\"open\"", "\"status\":\"deferred\""));
        Assert.Empty(Ready(ws));
    }

    [Fact]
    public void A_damaged_index_is_ignored_and_rebuilt()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A");
        ws.Orc("ready");
        var index = Path.Combine(ws.Root, ".orc", "cache", "ledger.idx");
        var bytes = File.ReadAllBytes(index);
        File.WriteAllBytes(index, bytes[..(bytes.Length / 2)]);
        Assert.Equal([a], Ready(ws));
        File.WriteAllText(index, "garbage");
        Assert.Equal([a], Ready(ws));
        Assert.Equal(bytes.Length, new FileInfo(index).Length);
    }

    [Fact]
    public void Unreadable_lines_are_still_reported_when_the_index_is_used()
    {
        using var ws = new TempWorkspace();
        ws.Create("A");
        File.AppendAllText(ws.LedgerPath, "not json\n");
        Assert.Contains("issues.jsonl:2:", ws.Orc("ready").Err);
        Assert.Contains("issues.jsonl:2:", ws.Orc("ready").Err);
    }

    [Fact]
    public void The_index_answers_for_the_ledgers_bytes_not_its_modification_time()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A");
        Assert.Equal([a], Ready(ws));
        var index = Path.Combine(ws.Root, ".orc", "cache", "ledger.idx");
        var built = File.GetLastWriteTimeUtc(index);
        // Touched, same bytes: the index still holds (a checkout that rewrote the same content).
        File.SetLastWriteTimeUtc(ws.LedgerPath, DateTime.UtcNow.AddMinutes(5));
        Assert.Equal([a], Ready(ws));
        Assert.Equal(built, File.GetLastWriteTimeUtc(index));
        // Same size and modification time, other bytes: not believed.
        var text = ws.LedgerText();
        var stamp = File.GetLastWriteTimeUtc(ws.LedgerPath);
        File.WriteAllText(ws.LedgerPath, text.Replace("\"status\":\"open\"", "\"status\":\"done\""));
        File.SetLastWriteTimeUtc(ws.LedgerPath, stamp);
        Assert.Equal(text.Length, ws.LedgerText().Length);
        Assert.Empty(Ready(ws));
    }

    [Fact]
    public void Cycles_and_deferred_items_are_reported_alike_from_the_index_and_without_it()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A");
        var b = ws.Create("B", "--deps", a);
        var later = ws.Create("Later", "--defer-until", "+3d");
        var earlier = ws.Create("Earlier");
        // A cycle a merge could leave (orc refuses to make one): a waits for b.
        var lines = ws.LedgerText().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
            l.Contains($"\"id\":\"{a}\"") ? l.Replace("\"issue_type\"",
                $"\"dependencies\":[{{\"issue_id\":\"{a}\",\"depends_on_id\":\"{b}\",\"type\":\"blocks\"}}],\"issue_type\"") : l);
        File.WriteAllText(ws.LedgerPath, string.Join("\n", lines) + "\n");
        var index = Path.Combine(ws.Root, ".orc", "cache", "ledger.idx");
        var stale = ws.Orc("ready", "--json");
        Assert.True(File.Exists(index));
        var fresh = ws.Orc("ready", "--json");
        Assert.Equal(stale.Out, fresh.Out);
        Assert.Equal(stale.Err, fresh.Err);
        Assert.Contains("dependency cycle", fresh.Err);
        Assert.Equal([earlier], Ready(ws));
        Assert.DoesNotContain(later, fresh.Out);
    }

    [Fact]
    public void A_change_keeps_every_other_line_byte_for_byte_and_the_changed_items_unknown_fields()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A", "-d", "described");
        ws.Orc("item", "comment", a, "a comment");
        var withExtra = ws.LedgerText().TrimEnd('\n').Replace("\"issue_type\"", "\"x_custom\":{\"k\":[1,2]},\"issue_type\"") + "\n";
        var other = "{\"id\":\"zz-1\",\"title\":\"Kept\",\"description\":\"tabs\\tand \\\"quotes\\\" \u00e9\",\"status\":\"open\",\"priority\":2,\"issue_type\":\"task\",\"y_more\":true}\n";
        File.WriteAllText(ws.LedgerPath, withExtra + other);
        Assert.Equal(0, ws.Orc("item", "update", a, "--notes", "now with notes").ExitCode);
        var text = ws.LedgerText();
        Assert.EndsWith(other, text);
        var line = text.Split('\n')[0];
        Assert.Contains("\"x_custom\":{\"k\":[1,2]}", line);
        Assert.Contains("described", line);
        Assert.Contains("a comment", line);
        Assert.Contains("now with notes", line);
        var created = ws.Create("B");
        Assert.Contains(other, ws.LedgerText());
        Assert.Contains(created, ws.LedgerText());
    }

    [Fact]
    public void Large_files_are_read_whole_as_the_runtime_reads_them()
    {
        var dir = Directory.CreateTempSubdirectory("orc-filebytes-");
        try
        {
            foreach (var size in new[] { 0, 1, 4095, (4 << 20) - 1, 4 << 20, (9 << 20) + 12345 })
            {
                var path = Path.Combine(dir.FullName, $"f{size}");
                var bytes = new byte[size];
                new Random(size).NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                Assert.Equal(bytes, Orchestrator.Adapters.Storage.FileBytes.ReadAll(path));
            }
        }
        finally { dir.Delete(recursive: true); }
    }
}
