using System.Text.Json;
using LibGit2Sharp;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Merging;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Services;

/// <summary>
/// The review funnel where it is easy to get wrong: a refinery killed while landing an approved
/// candidate, batches held for review (approved out of order, or red and bisected). Whatever
/// happens, main only ever takes approved work, and each item lands once.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.ProcessLevel)]
public sealed class ReviewRecoveryTests : IDisposable
{
    private readonly FleetFixture _fleet = new(readme: "line one\nline two\nline three\n");
    private readonly TempWorkspace _ws;
    private readonly string _gateRuns;
    private int _agents;

    public ReviewRecoveryTests()
    {
        _ws = _fleet.Ws;
        Ok("rig", "set", "app", "land", "review");
        _gateRuns = Path.Combine(_ws.Root, ".orc", "tmp", "gate-runs");
        Directory.CreateDirectory(Path.GetDirectoryName(_gateRuns)!);
        // Counts its runs; red when the candidate has a file named 'bad'.
        Ok("rig", "set", "app", "gate", $"echo run >> '{_gateRuns}'; test ! -e bad");
    }

    public void Dispose() => _fleet.Dispose();

    private CliResult Ok(params string[] args)
    {
        var r = _ws.Orc(args);
        Assert.True(r.ExitCode == 0, string.Join(' ', args) + ": " + r);
        return r;
    }

    private int GateRuns => File.Exists(_gateRuns) ? File.ReadAllLines(_gateRuns).Length : 0;

    private string RigDir => Path.Combine(_ws.Root, "rigs", "app");

    private RecordStore<Submission> Queue => new(Path.Combine(_ws.Root, "mq", "app"), OrcJsonContext.Default.Submission);

    private string Submit(string title, Dictionary<string, string> files) =>
        RigFixture.Submit(_ws, "app", "w" + (++_agents), title, files, "master");

    private JsonElement Mq(string id) => JsonDocument.Parse(Ok("mq", "show", id, "--json").Out).RootElement;

    private string State(string id) => Mq(id).GetProperty("state").GetString()!;

    private string ItemStatus(string id) => JsonDocument.Parse(Ok("item", "show", id, "--json").Out).RootElement[0].GetProperty("status").GetString()!;

    private string Main()
    {
        using var repo = new Repository(RigDir);
        return repo.Branches["master"].Tip.Sha;
    }

    /// <summary>Subjects of main's first-parent history, newest first.</summary>
    private List<string> MainLog()
    {
        using var repo = new Repository(RigDir);
        return repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = repo.Branches["master"].Tip, FirstParentOnly = true,
            SortBy = CommitSortStrategies.Topological })
            .Select(c => c.MessageShort).ToList();
    }

    private bool OnMain(string file)
    {
        using var repo = new Repository(RigDir);
        return repo.Branches["master"].Tip[file] is not null;
    }

    private string ParentOf(string commit)
    {
        using var repo = new Repository(RigDir);
        return repo.Lookup<Commit>(commit).Parents.Single().Sha;
    }

    private string TreeOf(string commit)
    {
        using var repo = new Repository(RigDir);
        return repo.Lookup<Commit>(commit).Tree.Sha;
    }

    /// <summary>Every commit on main after the first is one approved item's, and no item has two.</summary>
    private void AssertMainHoldsOnlyApprovedWork()
    {
        var landed = MainLog().Where(l => l != "first").Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToList();
        Assert.Equal(landed.Distinct().Count(), landed.Count);
        foreach (var id in landed)
            Assert.True(Mq(id).TryGetProperty("approved_by", out _), $"{id} is on main but nobody approved it: {Mq(id)}");
    }

    /// <summary>How often the feed and the overseer's mail said the item waits for review.</summary>
    private (int Feed, int Mail) ReviewsAsked(string id) => (
        Ok("feed", "-n", "10000").Out.Split('\n').Count(l => l.Contains($"{id} by ", StringComparison.Ordinal) && l.Contains("waits for review",
            StringComparison.Ordinal)),
        JsonDocument.Parse(Ok("mail", "inbox",
            "--json").Out).RootElement.EnumerateArray().Count(m => m.GetProperty("subject").GetString() == $"{id} waits for your review"));

    /// <summary>One submission held for review and approved: its record then.</summary>
    private Submission Approved(string id)
    {
        Assert.Contains($"{id}: review", Ok("refinery", "run", "app", "--once").Out);
        Ok("review", "approve", id);
        var s = Queue.Find(id)!;
        Assert.Equal(SubmissionStates.Approved, s.State);
        Assert.NotNull(s.ApprovedBy);
        return s;
    }

    [Fact]
    public void A_refinery_killed_after_moving_main_for_an_approved_candidate_records_it_once_without_a_second_review()
    {
        var id = Submit("Add a", new() { ["a.txt"] = "a\n" });
        var s = Approved(id);
        var runs = GateRuns;
        // What a refinery killed inside LandApproved leaves after main moved: the entry merging with
        // the reviewed candidate and the main it was built on, main at the candidate, nothing else.
        Queue.Write(id, s with { State = SubmissionStates.Merging, Attempts = s.Attempts + 1 });
        new RigIntegration(RigDir).FastForward("master", s.Onto!, s.Candidate!, "test");

        Assert.Contains($"{id}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(s.Candidate, Main()); // the candidate that was reviewed, not a rebuild
        Assert.Equal([$"{id}: Add a", "first"], MainLog());
        Assert.Equal(runs, GateRuns);
        var after = Queue.Find(id)!;
        Assert.Equal((SubmissionStates.Merged, s.Candidate), (after.State, after.Landed));
        Assert.Equal((s.ApprovedBy, s.ApprovedAt), (after.ApprovedBy, after.ApprovedAt)); // the approval stays in the record
        Assert.Equal("closed", ItemStatus(id));
        Assert.Equal((1, 1), ReviewsAsked(id));

        // The next pass finds nothing left to do.
        Assert.DoesNotContain(id, Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(s.Candidate, Main());
    }

    [Fact]
    public void A_refinery_killed_before_moving_main_for_an_approved_candidate_lands_it_once_on_the_next_pass_without_a_second_review()
    {
        var id = Submit("Add a", new() { ["a.txt"] = "a\n" });
        var s = Approved(id);
        var runs = GateRuns;
        var main = Main();
        // Killed between recording the landing and moving main: main is where the candidate was built.
        Queue.Write(id, s with { State = SubmissionStates.Merging, Attempts = s.Attempts + 1 });

        Assert.Contains($"{id}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal([$"{id}: Add a", "first"], MainLog());
        Assert.Equal(main, ParentOf(Main())); // one commit, on the main it was reviewed against
        Assert.Equal(TreeOf(s.Candidate!), TreeOf(Main())); // exactly what was reviewed
        Assert.Equal(s.Candidate, Main()); // the reviewed commit itself: main had not moved, so no rebuild
        Assert.Equal(runs, GateRuns); // and no second gate run
        var after = Queue.Find(id)!;
        Assert.Equal(SubmissionStates.Merged, after.State);
        Assert.Equal((s.ApprovedBy, s.ApprovedAt), (after.ApprovedBy, after.ApprovedAt));
        Assert.Equal("closed", ItemStatus(id));
        Assert.Equal((1, 1), ReviewsAsked(id)); // never asked again
        Assert.Contains("it lands as reviewed", Ok("feed", "-n", "10000").Out);

        Assert.DoesNotContain(id, Ok("refinery", "run", "app", "--once").Out);
        Assert.Single(MainLog(), l => l.StartsWith(id, StringComparison.Ordinal));
    }

    [Fact]
    public void A_batch_of_three_waits_for_review_with_a_candidate_each_and_approving_the_second_alone_never_lands_the_first()
    {
        Ok("rig", "set", "app", "batch", "3");
        var main = Main();
        var ids = new[] { Submit("Add a", new() { ["a.txt"] = "a\n" }), Submit("Add b", new() { ["b.txt"] = "b\n" }), Submit("Add c",
            new() { ["c.txt"] = "c\n" }) };
        Ok("refinery", "run", "app", "--once");
        Assert.Equal(1, GateRuns); // one gate run for the stack of three
        Assert.Equal(main, Main());
        var held = ids.Select(id => Queue.Find(id)!).ToList();
        Assert.All(held, s => Assert.Equal(SubmissionStates.Review, s.State));
        Assert.Equal(3, held.Select(s => s.Candidate).Distinct().Count());
        // Stacked: each built on the one before it.
        Assert.Equal([main, held[0].Candidate, held[1].Candidate], held.Select(s => s.Onto));

        // The second approved alone: its candidate holds the first's work, so it is rebuilt on main
        // and gated again, and lands without the first.
        Ok("review", "approve", ids[1]);
        var pass = Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{ids[1]}: merged", pass);
        Assert.Equal(2, GateRuns);
        Assert.Equal([$"{ids[1]}: Add b", "first"], MainLog());
        Assert.NotEqual(held[1].Candidate, Main());
        Assert.True(OnMain("b.txt"));
        Assert.False(OnMain("a.txt"));
        Assert.False(OnMain("c.txt"));
        Assert.Equal((SubmissionStates.Review, SubmissionStates.Review), (State(ids[0]), State(ids[2])));
        Assert.NotEqual("closed", ItemStatus(ids[0]));
        Assert.Contains("rebuilding it on master", Ok("feed", "-n", "10000").Out);
        AssertMainHoldsOnlyApprovedWork();

        // Nothing approved: a pass moves nothing.
        Ok("refinery", "run", "app", "--once");
        Assert.Equal(2, GateRuns);
        Assert.Equal(2, MainLog().Count);

        // The third (built on the second's old candidate) and then the first (on the old main) are
        // rebuilt and gated too; each lands once, and only what was approved is ever on main.
        Ok("review", "approve", ids[2]);
        Assert.Contains($"{ids[2]}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.False(OnMain("a.txt"));
        AssertMainHoldsOnlyApprovedWork();
        Ok("review", "approve", ids[0]);
        Assert.Contains($"{ids[0]}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(4, GateRuns);
        Assert.Equal([$"{ids[0]}: Add a", $"{ids[2]}: Add c", $"{ids[1]}: Add b", "first"], MainLog());
        AssertMainHoldsOnlyApprovedWork();
        Assert.All(ids, id => Assert.Equal((1, 1), ReviewsAsked(id)));
        Assert.All(ids, id => Assert.Equal("closed", ItemStatus(id)));
    }

    [Fact]
    public void A_reviewed_stack_approved_in_any_order_lands_as_it_was_reviewed_without_another_gate()
    {
        Ok("rig", "set", "app", "batch", "3");
        var ids = new[] { Submit("Add a", new() { ["a.txt"] = "a\n" }), Submit("Add b", new() { ["b.txt"] = "b\n" }), Submit("Add c",
            new() { ["c.txt"] = "c\n" }) };
        Ok("refinery", "run", "app", "--once");
        var held = ids.Select(id => Queue.Find(id)!).ToList();
        // The second first, then the first; the third stays unapproved.
        Ok("review", "approve", ids[1]);
        Ok("review", "approve", ids[0]);
        var pass = Ok("refinery", "run", "app", "--once").Out;
        Assert.Contains($"{ids[0]}: merged", pass);
        Assert.Contains($"{ids[1]}: merged", pass);
        Assert.Equal(1, GateRuns); // both landed as reviewed: their candidates, in stack order
        Assert.Equal(held[1].Candidate, Main());
        Assert.Equal(held[0].Candidate, Queue.Find(ids[0])!.Landed);
        Assert.False(OnMain("c.txt"));
        Assert.Equal(SubmissionStates.Review, State(ids[2]));
        AssertMainHoldsOnlyApprovedWork();

        // The third was built on the second's candidate, which is main now: it lands as reviewed too.
        Ok("review", "approve", ids[2]);
        Assert.Contains($"{ids[2]}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(1, GateRuns);
        Assert.Equal(held[2].Candidate, Main());
        AssertMainHoldsOnlyApprovedWork();
    }

    [Fact]
    public void A_red_batch_in_review_mode_is_bisected_the_culprit_goes_back_and_the_green_ones_wait_for_review_not_on_main()
    {
        Ok("rig", "set", "app", "batch", "3");
        var main = Main();
        var good = Submit("Add a", new() { ["a.txt"] = "a\n" });
        var bad = Submit("Break it", new() { ["bad"] = "x\n" });
        var after = Submit("Add c", new() { ["c.txt"] = "c\n" });
        Ok("refinery", "run", "app", "--once");

        // The stack of three (red), bisected: the first alone (green), the first two (red); then the
        // third, restacked alone on main (green).
        Assert.Equal(4, GateRuns);
        Assert.Contains($"bisected a red batch of 3: {bad} breaks the gate; 1 before it are green", Ok("feed", "-n", "10000").Out);
        var culprit = Mq(bad);
        Assert.Equal("rejected", culprit.GetProperty("state").GetString());
        Assert.Contains("the gate", culprit.GetProperty("reason").GetString());
        var back = JsonDocument.Parse(Ok("item", "show", bad, "--json").Out).RootElement[0];
        Assert.Equal(("hooked", "w2"), (back.GetProperty("status").GetString(), back.GetProperty("assignee").GetString()));

        Assert.Equal(main, Main()); // nothing on main
        Assert.Equal(["first"], MainLog());
        var (g, a) = (Queue.Find(good)!, Queue.Find(after)!);
        Assert.Equal((SubmissionStates.Review, SubmissionStates.Review), (g.State, a.State));
        Assert.Equal((main, main), (g.Onto, a.Onto)); // neither candidate holds the culprit
        Assert.Equal((1, 1), ReviewsAsked(good));
        Assert.Equal((1, 1), ReviewsAsked(after));
        Assert.Equal((0, 0), ReviewsAsked(bad));

        Ok("review", "approve", good);
        Assert.Contains($"{good}: merged", Ok("refinery", "run", "app", "--once").Out);
        Assert.Equal(g.Candidate, Main());
        Assert.False(OnMain("bad"));
        Assert.False(OnMain("c.txt"));
        AssertMainHoldsOnlyApprovedWork();
    }
}
