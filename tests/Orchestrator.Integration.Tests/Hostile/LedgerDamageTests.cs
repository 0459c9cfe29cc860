using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Orchestrator.Testing;
using static Orchestrator.Integration.Tests.Hostile.HostileRun;

namespace Orchestrator.Integration.Tests.Hostile;

/// <summary>A ledger damaged by hand, by a bad merge or by a crash loads; the damage is named, nothing readable is lost.</summary>
public sealed class LedgerDamageTests
{
    [Fact]
    public void A_ledger_with_conflict_markers_a_torn_line_duplicates_unknown_fields_and_wrong_types_loads()
    {
        using var ws = new TempWorkspace();
        var one = HostileCorpus.ItemLine("hq-a1", "one");
        var lines = new[]
        {
            one,
            "<<<<<<< HEAD",
            one.Replace("\"one\"", "\"two\""),
            "=======",
            one.Replace("\"one\"", "\"three\""),
            ">>>>>>> feature",
            "{\"id\":\"hq-a4\",\"title\":\"wrong type\",\"priority\":\"high\"}",
            HostileCorpus.ItemLine("hq-a5", "unknown fields").Replace("{\"id\"", "{\"zzz\":{\"deep\":[1,2]},\"id\""),
            HostileCorpus.ItemLine("../evil", "bad id"),
            HostileCorpus.ItemLine("hq-a6", "torn")[..30],
        };
        File.WriteAllText(ws.LedgerPath, string.Join('\n', lines));
        var list = ws.Orc("item", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var ids = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).Order().ToArray();
        Assert.Equal(["hq-a1", "hq-a5"], ids);
        // The conflict block is merged by id (the marker lines are no bad lines); the rest is named by its line in the file.
        foreach (var expected in new[] { ":7: field 'priority' must be an integer", ":9: id '../evil' is not a valid id", ":10: ",
            "hq-a1 appears on more than one line" })
            Assert.Contains("ledger/issues.jsonl" + (expected.StartsWith(':') ? expected : ": item " + expected), list.Err);
        foreach (var marker in new[] { ":2:", ":4:", ":6:" }) Assert.DoesNotContain("ledger/issues.jsonl" + marker, list.Err);
        Assert.Equal(0, ws.Orc("ready").ExitCode);
        // The next change keeps every unreadable line in the quarantine and the unknown field in the ledger.
        Assert.Equal(0, ws.Orc("item", "comment", "hq-a5", "still here").ExitCode);
        var quarantine = File.ReadAllText(ws.QuarantinePath);
        foreach (var l in lines.Where(l => !l.Contains("\"hq-a1\"") && !l.Contains("hq-a5") && l[0] != l[1])) Assert.Contains(l, quarantine);
        Assert.DoesNotContain("=======", quarantine + ws.LedgerText());
        Assert.Contains("\"zzz\":{\"deep\":[1,2]}", ws.LedgerText());
    }

    [Fact]
    public void A_dependency_cycle_left_by_a_git_merge_loads_and_ready_and_blocked_name_it()
    {
        using var ws = new TempWorkspace();
        var a = ws.Create("A");
        var b = ws.Create("B");
        var c = ws.Create("C, free");
        var main = Git(ws.Root, "rev-parse", "--abbrev-ref", "HEAD").Trim();
        Git(ws.Root, "checkout", "-q", "-b", "feature");
        Assert.Equal(0, ws.Orc("item", "dep", "add", a, b).ExitCode);
        Git(ws.Root, "checkout", "-q", main);
        Assert.Equal(0, ws.Orc("item", "dep", "add", b, a).ExitCode);
        Git(ws.Root, "merge", "--no-edit", "feature");
        var ready = ws.Orc("ready", "--json");
        Assert.True(ready.ExitCode == 0, ready.ToString());
        Assert.Equal([c], JsonDocument.Parse(ready.Out).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToArray());
        Assert.Contains("warning: dependency cycle", ready.Err);
        Assert.Contains(a, ready.Err);
        Assert.Contains(b, ready.Err);
        var blocked = ws.Orc("blocked");
        Assert.Equal(0, blocked.ExitCode);
        Assert.Contains("dependency cycle", blocked.Err);
        Assert.Equal(0, ws.Orc("item", "show", a).ExitCode);
        Assert.Equal(0, ws.Orc("item", "dep", "tree", a).ExitCode);
        // Removing one side breaks the cycle.
        Assert.Equal(0, ws.Orc("item", "dep", "remove", a, b).ExitCode);
        Assert.DoesNotContain("cycle", ws.Orc("ready").Err);
    }

    /// <summary>hq-c1 … hq-cN-1 each depend on the one before; with <paramref name="closed"/>, hq-c0 depends on the last.</summary>
    private static string Chain(int n, bool closed)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            var line = HostileCorpus.ItemLine($"hq-c{i}", "chain");
            var on = i > 0 ? $"hq-c{i - 1}" : closed ? $"hq-c{n - 1}" : null;
            if (on is not null) line = line.Replace("\"updated_at\"",
                $"\"dependencies\":[{{\"issue_id\":\"hq-c{i}\",\"depends_on_id\":\"{on}\",\"type\":\"blocks\"}}],\"updated_at\"");
            sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    [Fact]
    public void A_dependency_cycle_through_twenty_thousand_items_is_named_by_its_length_and_its_ends()
    {
        using var ws = new TempWorkspace();
        File.WriteAllText(ws.LedgerPath, Chain(20_000, closed: false));
        var before = ws.LedgerBytes();

        // Closing the chain into a cycle is refused, naming it in one short line.
        var refused = ws.Orc("item", "dep", "add", "hq-c0", "hq-c19999");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("orc: error: dependency cycle: hq-c0 → hq-c19999 → hq-c19998 → … → hq-c3 → hq-c2 → hq-c1 → hq-c0 (20,000 items; 19,994 not shown) (not added)\n", refused.Err);
        Assert.Equal(before, ws.LedgerBytes());

        // A cycle already in the ledger (a merge, a hand edit) is warned about the same way.
        File.WriteAllText(ws.LedgerPath, Chain(20_000, closed: true));
        var ready = ws.Orc("ready", "--json");
        Assert.True(ready.ExitCode == 0, ready.ToString());
        var warning = Assert.Single(ready.Err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("orc: warning: dependency cycle hq-c", warning);
        Assert.Contains(" → … → ", warning);
        Assert.Contains("(20,000 items; 19,994 not shown)", warning);
        Assert.True(warning.Length < 300, warning);
        var doctor = ws.Orc("doctor");
        var line = Assert.Single(doctor.Out.Split('\n'), l => l.Contains("dependency cycle"));
        Assert.Contains("(20,000 items; 19,994 not shown)", line);
        Assert.True(line.Length < 400, line);
    }

    [Fact]
    public void A_dependency_chain_of_twenty_thousand_items_does_not_overflow_the_stack()
    {
        using var ws = new TempWorkspace();
        File.WriteAllText(ws.LedgerPath, Chain(20_000, closed: false));
        var ready = ws.Orc("ready", "--json");
        Assert.True(ready.ExitCode == 0, ready.ToString());
        Assert.Equal(["hq-c0"], JsonDocument.Parse(ready.Out).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToArray());
    }
}
