using Orchestrator.Adapters.Rigs;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Rigs;

namespace Orchestrator.Integration.Tests.Runtime;

public sealed class StoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("orc-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("dotnet test")]
    [InlineData("make test && echo 'all green'")]
    [InlineData("./check.sh \"two words\" 'it''s'")]
    [InlineData("")]
    public void Rig_settings_round_trip_through_yaml_with_the_gate_as_given(string gate)
    {
        var store = new RigStore(_dir);
        var rig = new Rig { Name = "app", Source = "/src/app \"quoted\"", Prefix = "app", DefaultBranch = "main", Gate = gate, Profile = "claude",
            MaxPolecats = 4, CreatedAt = "2026-11-23T00:00:00Z" };
        File.WriteAllText(store.PathOf("app"), RigStore.ToYaml(rig));
        var back = store.Get("app");
        Assert.Equal(rig, back);
        Assert.Equal(gate, back.Gate);
        Assert.Equal(["app"], store.All().Select(r => r.Name));
    }

    [Theory]
    [InlineData("gate: make test", "make test", new[] { "make", "test" })]                                 // a line: run directly
    [InlineData("gate: make test && ./lint", "make test && ./lint", new[] { "sh", "-c", "make test && ./lint" })] // shell syntax: sh -c
    [InlineData("gate: [dotnet, test]", "dotnet test", new[] { "dotnet", "test" })]                          // the old list form
    [InlineData("gate: [sh, -c, 'make test']", "make test", new[] { "make", "test" })]                     // what 'rig set' wrote before
    [InlineData("gate: [sh, check.sh, 'two words']", "sh check.sh 'two words'", new[] { "sh", "check.sh", "two words" })]
    [InlineData("gate: []", "", new string[0])]
    public void Every_gate_form_a_rig_file_has_held_still_loads(string line, string shown, string[] argv)
    {
        File.WriteAllText(Path.Combine(_dir, "web.yaml"), $"source: /x\nprefix: web\ndefault_branch: main\n{line}\n");
        var rig = new RigStore(_dir).Get("web");
        Assert.Equal(shown, rig.Gate);
        Assert.Equal(argv, rig.GateArgv);
    }

    [Theory]
    [InlineData("source: /x\nprefix: web\ndefault_branch: main\nmax_polecats: lots\n", "web.yaml:4: 'max_polecats' must be a whole number")]
    [InlineData("source: /x\nprefix: Web!\ndefault_branch: main\n", "web.yaml:2: 'prefix' must be lowercase")]
    [InlineData("source: /x\nprefix: web\ndefault_branch: main\ngaet: [x]\n", "web.yaml:4: unknown setting 'gaet'")]
    [InlineData("prefix: web\ndefault_branch: main\n", "'source' is required")]
    [InlineData("source: /x\nprefix: web\ndefault_branch: main\ngate: ./check \"open\n", "web.yaml:4: 'gate' cannot be run: the double quote is not closed")]
    public void A_broken_rig_file_names_its_line(string yaml, string expected)
    {
        File.WriteAllText(Path.Combine(_dir, "web.yaml"), yaml);
        Assert.Contains(expected, Assert.Throws<OrcException>(() => new RigStore(_dir).Get("web")).Message);
    }

    [Fact]
    public void An_unknown_rig_says_how_to_add_one()
    {
        var e = Assert.Throws<OrcException>(() => new RigStore(_dir).Get("nope"));
        Assert.Equal(ExitCodes.NotFound, e.ExitCode);
        Assert.Contains("orc rig add", e.Message);
    }

    [Fact]
    public void Hooks_are_kept_as_json_records_and_read_back_whole()
    {
        var store = new RecordStore<Hook>(_dir, OrcJsonContext.Default.Hook);
        var hook = new Hook { Agent = "nux", Rig = "app", Item = "app-x1", Branch = "polecat/nux/app-x1", Worktree = "/w/nux", BaseCommit = "abc",
            Profile = "sim", CreatedAt = "t0" }
            .MoveTo(HookStates.Active, "t1", "started");
        store.Write("nux", hook);
        var text = File.ReadAllText(store.PathOf("nux"));
        Assert.Contains("\"base_commit\": \"abc\"", text);
        Assert.DoesNotContain("holds_work", text);
        var back = store.Find("nux")!;
        Assert.Equal(hook.State, back.State);
        Assert.Equal(hook.History, back.History);
        Assert.Single(store.All());
        Assert.Null(store.Find("ace"));
    }

    [Fact]
    public void A_damaged_record_names_its_file()
    {
        File.WriteAllText(Path.Combine(_dir, "nux.json"), "{\"agent\": \"nux\",");
        var e = Assert.Throws<OrcException>(() => new RecordStore<Hook>(_dir, OrcJsonContext.Default.Hook).Find("nux"));
        Assert.Contains("nux.json:", e.Message);
    }

    [Fact]
    public void Appended_event_lines_and_old_ones_compacted_away_are_orcs_own_change_to_the_event_log_and_nothing_else_is()
    {
        static string E(int n) => System.Text.Json.JsonSerializer.Serialize(
            new Core.Events.OrcEvent { At = $"2026-01-{n:00}T00:00:00Z", Source = "deacon", Kind = "cleaned", Text = "event " + n },
                OrcEventJsonContext.Default.OrcEvent);
        static byte[] Log(params string[] lines) => System.Text.Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        var committed = Log(E(1), E(2), E(3));

        Assert.True(EventLog.IsOwnChange(committed, committed));
        Assert.True(EventLog.IsOwnChange(committed, Log(E(1), E(2), E(3), E(4), E(5)))); // appended
        Assert.True(EventLog.IsOwnChange(committed, Log(E(3), E(4)))); // compacted, then appended
        Assert.True(EventLog.IsOwnChange(committed, Log(E(5)))); // all compacted
        Assert.True(EventLog.IsOwnChange(null, Log(E(1)))); // the log's first lines, before any commit has it

        Assert.False(EventLog.IsOwnChange(committed, Log(E(1), E(3)))); // a line taken out of the middle
        Assert.False(EventLog.IsOwnChange(committed, Log(E(1), E(2).Replace("event 2", "edited"), E(3))));
        Assert.False(EventLog.IsOwnChange(committed, Log(E(1), E(2), E(3), "not an event")));
        Assert.False(EventLog.IsOwnChange(committed, Log(E(1), E(2), E(3), E(1)))); // a committed line again
        Assert.False(EventLog.IsOwnChange(committed, [.. Log(E(1), E(2), E(3)), .. System.Text.Encoding.UTF8.GetBytes(E(4))])); // a line cut short
    }
}
