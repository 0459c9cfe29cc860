using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// The review funnel's assistive first pass (rig setting <c>review_agent</c>) against real git and
/// a real tmux server on a private socket: the sim profile as the reviewer agent, started by the
/// deacon or 'orc review assist', reporting through the real 'orc item comment' and 'orc review note'.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class ReviewerTests : IDisposable
{
    private readonly FleetFixture _fleet = new(readme: "line one\n");
    private readonly TempWorkspace _ws;
    private int _agents;

    public ReviewerTests()
    {
        _ws = _fleet.Ws;
        Ok("rig", "set", "app", "land", "review");
    }

    public void Dispose() => _fleet.Dispose();

    private CliResult Ok(params string[] args) => _fleet.Ok(args);

    private string Held(string title, params string[] createArgs)
    {
        var id = RigFixture.Submit(_ws, "app", "w" + (++_agents), title, new() { [$"{title.Replace(' ', '-')}.txt"] = title + "\n" }, "master", createArgs);
        Assert.Contains($"{id}: review", Ok("refinery", "run", "app", "--once").Out);
        return id;
    }

    private JsonElement Mq(string id) => JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement;

    private JsonElement? Reviewer(string id) => Mq(id).TryGetProperty("reviewer", out var r) ? r : null;

    private string? ReviewerState(string id) => Reviewer(id)?.GetProperty("state").GetString();

    private List<string> Comments(string id) =>
        [.. JsonDocument.Parse(Ok("item", "show", id,
            "--json").Out).RootElement[0].GetProperty("comments").EnumerateArray().Select(c => c.GetProperty("text").GetString()!)];

    /// <summary>Every reviewer hook ever made in this workspace (live and archived, replaced ones too).</summary>
    private List<Hook> ReviewerHooks() =>
        [.. new RecordStore<Hook>(Path.Combine(_ws.Root, "agents"), OrcJsonContext.Default.Hook).All()
            .Concat(new RecordStore<Hook>(Path.Combine(_ws.Root, "agents", "archive"), OrcJsonContext.Default.Hook).All())
            .Where(h => h.Role == Roles.Reviewer)];

    private List<string> ReviewerWindows() =>
        [.. _fleet.Tmux.ListWindows().Where(w => w.Window.StartsWith("review-", StringComparison.Ordinal)).Select(w => w.Window)];

    private string Main()
    {
        using var repo = new Repository(_fleet.RigDir);
        return repo.Branches["master"].Tip.Sha;
    }

    private void Deacon() => Ok("deacon", "run", "--once", "--no-supervise");

    [Fact]
    public void The_deacon_starts_a_reviewer_whose_comment_and_verdict_land_on_the_item_and_the_person_still_decides()
    {
        Ok("rig", "set", "app", "review_agent", "sim");
        var main = Main();
        var id = Held("Add a");
        Assert.Null(Reviewer(id)); // the refinery only holds it; the reviewer is the deacon's to start

        Deacon();
        var name = Assert.Single(ReviewerHooks()).Agent;
        Assert.Equal($"review-{id}", name);
        // (Its note is one locked change; the feed says so once it is committed.)
        RigFixture.Eventually(() => Ok("feed").Out.Contains($"{name} reviewed {id}: approve"),
            () => $"the reviewer has not noted its verdict: {Mq(id)}\n{_ws.Orc("peek", name).Out}");

        var reviewer = Reviewer(id)!.Value;
        Assert.Equal("approve", reviewer.GetProperty("verdict").GetString());
        Assert.Equal("sim", reviewer.GetProperty("profile").GetString());
        Assert.Contains("nothing to fix", reviewer.GetProperty("notes").GetString());
        var comments = Comments(id);
        Assert.Contains(comments, c => c.StartsWith("Add-a.txt: read by the sim reviewer", StringComparison.Ordinal)); // its own 'orc item comment'
        Assert.Contains(comments, c => c.StartsWith($"review by {name} (sim) of candidate", StringComparison.Ordinal) && c.Contains(": approve"));
        Assert.Contains(JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("comments").EnumerateArray(),
            c => c.GetProperty("author").GetString() == name);

        // Its verdict is advice: the candidate still waits, main has not moved, the refinery lands nothing.
        Assert.Equal("review", Mq(id).GetProperty("state").GetString());
        Assert.DoesNotContain(id + ": merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(main, Main());
        Assert.Matches($@"^{id}\s+app\s+w1\s+\S+\s+0\s+-\s+approve\s+Add a$", Ok("review", "list", "--no-headers").Out.Trim());
        Assert.Contains($"reviewer {name} (sim) says approve", Ok("review", "show", id).Out);
        Assert.Equal("approve", JsonDocument.Parse(Ok("review", "list",
            "--json").Out).RootElement[0].GetProperty("reviewer").GetProperty("verdict").GetString());

        // Done with: the next pass stops it and removes its worktree; nothing of the rig's branches moved.
        Deacon();
        Assert.Equal(HookStates.Archived, Assert.Single(ReviewerHooks()).State);
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "worktrees", "app", name)));
        Assert.Empty(ReviewerWindows());
        Deacon();
        Assert.Single(ReviewerHooks()); // no second reviewer for the same candidate

        Ok("review", "approve", id);
        Assert.Contains($"{id}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.NotEqual(main, Main());
    }

    [Fact]
    public void Concurrent_triggers_start_one_reviewer_and_the_persons_answer_stops_it()
    {
        Ok("rig", "set", "app", "review_agent", "sim");
        var id = Held("Add b", "--label", "sim:review=hang"); // it reads and never answers
        string[][] triggers = [["review", "assist", id], ["review", "assist", id], ["review", "assist", id], ["review", "assist", id], ["deacon", "run",
            "--once", "--no-supervise"]];
        var results = new CliResult[triggers.Length];
        Parallel.For(0, triggers.Length, i => results[i] = _fleet.Process(triggers[i]));
        var startedByAssist = results.Take(4).Count(r => r.ExitCode == 0 && r.Out.StartsWith("started reviewer", StringComparison.Ordinal));
        Assert.True(startedByAssist <= 1, string.Join("\n", results.Select(r => r.ToString())));
        Assert.Single(ReviewerHooks());
        Assert.Equal("running", ReviewerState(id));
        RigFixture.Eventually(() => ReviewerWindows().Count == 1, () => "windows: " + string.Join(", ", ReviewerWindows()));
        Assert.Single(Ok("feed", "--json").Out.Split('\n'), l => l.Contains("\"reviewed\"") && l.Contains($"started review-{id}"));
        Assert.All(results.Take(4).Where(r => r.ExitCode != 0), r => Assert.Contains($"review-{id} is reviewing {id} now", r.Err));
        var list = Ok("review", "list", "--no-headers").Out;
        Assert.Contains(" reading ", list);

        // The person answers first: the reviewer is stopped, its worktree removed, its pass marked stopped.
        Ok("review", "reject", id, "--reason", "not this way");
        Deacon();
        Assert.Equal(HookStates.Archived, Assert.Single(ReviewerHooks()).State);
        Assert.Empty(ReviewerWindows());
        Assert.False(Directory.Exists(Path.Combine(_ws.Root, "worktrees", "app", $"review-{id}")));
        Assert.Equal("stopped", JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement.GetProperty("reviewer").GetProperty("state").GetString());
    }

    [Fact]
    public void A_reviewer_taken_back_by_hand_leaves_a_note_and_can_be_started_again()
    {
        Ok("rig", "set", "app", "review_agent", "sim");
        var id = Held("Add e", "--label", "sim:review=hang");
        Assert.StartsWith($"started reviewer review-{id}", Ok("review", "assist", id).Out);
        Ok("unsling", $"review-{id}");
        Deacon();
        Assert.Equal("failed", ReviewerState(id));
        Assert.Contains("before it gave a verdict", Reviewer(id)!.Value.GetProperty("notes").GetString());
        Assert.Empty(ReviewerWindows());
        Assert.StartsWith($"started reviewer review-{id}", Ok("review", "assist", id).Out); // again, by hand
        Assert.Equal("running", ReviewerState(id));
        Assert.Equal(2, ReviewerHooks().Count); // the first one's hook kept in the archive
        Ok("review", "approve", id);
        Deacon();
        Assert.Empty(ReviewerWindows());
    }

    [Fact]
    public void Without_review_agent_no_reviewer_starts_and_a_person_cannot_note_a_verdict()
    {
        var id = Held("Add c");
        Deacon();
        Deacon();
        Assert.Empty(ReviewerHooks());
        Assert.Empty(ReviewerWindows());
        Assert.Null(Reviewer(id));
        Assert.Matches($@"^{id}\s+app\s+w1\s+\S+\s+0\s+-\s+-\s+Add c$", Ok("review", "list", "--no-headers").Out.Trim());
        var assist = _ws.Orc("review", "assist", id);
        Assert.Equal(1, assist.ExitCode);
        Assert.Contains("rig app has no review_agent", assist.Err);
        var note = _ws.Orc("review", "note", id, "--verdict", "approve", "--text", "fine");
        Assert.Equal(ExitCodes.Usage, note.ExitCode);
        Assert.Contains("the reviewer agent's verb", note.Err);
        Assert.Equal("review", Mq(id).GetProperty("state").GetString());
    }

    [Fact]
    public void A_reviewer_that_dies_or_cannot_start_leaves_a_note_and_the_candidate_waits_for_the_person()
    {
        Ok("rig", "set", "app", "review_agent", "sim");
        var id = Held("Add d", "--label", "sim:review=crash");
        Deacon();
        var name = $"review-{id}";
        RigFixture.Eventually(() => _fleet.Tmux.ListWindows().Any(w => w.Window == name && w.PaneDead) || !_fleet.Tmux.ListWindows().Any(w => w.Window == name),
            () => $"{name} still runs: {_ws.Orc("peek", name).Out}");
        Deacon();
        var reviewer = Reviewer(id)!.Value;
        Assert.Equal("failed", reviewer.GetProperty("state").GetString());
        Assert.Contains("before it gave a verdict", reviewer.GetProperty("notes").GetString());
        Assert.Contains(Comments(id), c => c.StartsWith("the assistive review did not run",
            StringComparison.Ordinal) && c.Contains("waits for a person's review as before"));
        Assert.Equal("review", Mq(id).GetProperty("state").GetString());
        Assert.Contains(" did not run ", Ok("review", "list", "--no-headers").Out);
        Assert.Contains("the assistive review did not run", Ok("review", "show", id).Out);
        Assert.Equal(HookStates.Archived, Assert.Single(ReviewerHooks()).State);
        Deacon();
        Assert.Single(ReviewerHooks()); // not started again by itself

        // A profile whose program is not installed: nothing starts, the note says why.
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".orc", "profiles"));
        File.WriteAllText(Path.Combine(_ws.Root, ".orc", "profiles", "ghost.yaml"), "name: ghost\ncommand: no-such-agent-cli-here\nprompt: arg\n");
        Ok("rig", "set", "app", "review_agent", "ghost");
        var again = Ok("review", "assist", id).Out;
        Assert.Contains("not on PATH", again);
        Assert.Equal("failed", ReviewerState(id));
        Assert.Contains("not on PATH", Reviewer(id)!.Value.GetProperty("notes").GetString());
        Assert.Single(ReviewerHooks());
        Assert.Equal("review", Mq(id).GetProperty("state").GetString());
        Ok("review", "approve", id); // the person decides as ever
        Assert.Contains($"{id}: merged", Ok("refinery", "run", "app", "--once").Out);
    }
}
