using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;

namespace Orchestrator.Core.Tests;

public sealed class HookSessionsTests
{
    private static int _clock;

    private static string T() => $"2026-01-01T00:{Interlocked.Increment(ref _clock) % 60:00}:00.0000000Z";

    private static Hook NewHook(string agent = "nux", string item = "app-1") => new()
    {
        Agent = agent, Rig = "app", Item = item, Branch = "b", Worktree = "/w", BaseCommit = "0", Profile = "sim", CreatedAt = "2026-01-01T00:00:00.0000000Z",
        History = [new HookEvent("2026-01-01T00:00:00.0000000Z", "", HookStates.Created, "slung " + item)],
    };

    [Fact]
    public void Sessions_are_read_back_from_the_hook_history_with_how_each_ended()
    {
        var h = NewHook()
            .MoveTo(HookStates.Active, "2026-01-01T01:00:00.0000000Z", "started")
            .MoveTo(HookStates.Active, "2026-01-01T02:00:00.0000000Z", HookReasons.Restarted)           // the first process died
            .MoveTo(HookStates.Suspended, "2026-01-01T03:00:00.0000000Z", "killed")
            .MoveTo(HookStates.Active, "2026-01-01T04:00:00.0000000Z", "resumed")
            .MoveTo(HookStates.Active, "2026-01-01T05:00:00.0000000Z", HookReasons.Handoff, "state: half done")
            .MoveTo(HookStates.Active, "2026-01-01T05:00:01.0000000Z", HookReasons.AfterHandoff)
            .MoveTo(HookStates.Completed, "2026-01-01T06:00:00.0000000Z", "submitted", "ready for review")
            .MoveTo(HookStates.Active, "2026-01-01T07:00:00.0000000Z", "returned by the refinery: conflicts with main in a.txt")
            .MoveTo(HookStates.Active, "2026-01-01T07:00:05.0000000Z", HookReasons.Restarted)          // the finished process was started again
            .MoveTo(HookStates.Completed, "2026-01-01T08:00:00.0000000Z", "submitted")
            .MoveTo(HookStates.Archived, "2026-01-01T09:00:00.0000000Z", "cleaned up");

        var s = HookSessions.Of(h);
        Assert.Equal(
            [(1, "slung", SessionEnds.Crashed), (2, "restarted after a crash", SessionEnds.Killed), (3, "resumed", SessionEnds.Handoff),
             (4, "after a handoff", SessionEnds.Done), (5, "restarted after a crash", SessionEnds.Done)],
            s.Select(x => (x.Number, x.StartedBy, x.Ended)));
        Assert.Equal(("2026-01-01T04:00:00.0000000Z", "2026-01-01T05:00:00.0000000Z"), (s[2].StartedAt, s[2].EndedAt));
        Assert.Equal([(SessionEnds.Handoff, "state: half done")], s[2].Notes.Select(n => (n.Kind, n.Text)));
        Assert.Equal([(SessionEnds.Done, "ready for review"), ("returned", "returned by the refinery: conflicts with main in a.txt")],
            s[3].Notes.Select(n => (n.Kind, n.Text)));
        Assert.All(s, x => Assert.Equal("app-1", x.Item));
        Assert.Null(HookSessions.Current(h));
    }

    [Fact]
    public void A_live_agent_that_gets_its_work_back_and_submits_again_stays_in_one_session()
    {
        var h = NewHook()
            .MoveTo(HookStates.Active, T(), "started")
            .MoveTo(HookStates.Completed, T(), "submitted", "first try")
            .MoveTo(HookStates.Active, T(), "returned by the refinery: the gate (make) failed")
            .MoveTo(HookStates.Completed, T(), "submitted", "second try");
        var s = Assert.Single(HookSessions.Of(h));
        Assert.Equal(SessionEnds.Done, s.Ended);
        Assert.Equal(["first try", "returned by the refinery: the gate (make) failed", "second try"], s.Notes.Select(n => n.Text));
    }

    [Fact]
    public void A_pending_handoff_is_the_last_move_until_the_fresh_session_starts()
    {
        var h = NewHook().MoveTo(HookStates.Active, T(), "started");
        Assert.Null(HookSessions.PendingHandoff(h));
        Assert.Equal(1, HookSessions.Current(h)!.Number);
        h = h.MoveTo(HookStates.Active, T(), HookReasons.Handoff, "n");
        Assert.NotNull(HookSessions.PendingHandoff(h));
        Assert.Null(HookSessions.Current(h));
        h = h.MoveTo(HookStates.Active, T(), HookReasons.AfterHandoff);
        Assert.Null(HookSessions.PendingHandoff(h));
        Assert.Equal(2, HookSessions.Current(h)!.Number);
    }

    [Fact]
    public void An_items_sessions_come_from_every_hook_that_held_it_oldest_first()
    {
        var first = NewHook("nux") with { CreatedAt = "2026-01-01T00:00:00.0000000Z" };
        first = first.MoveTo(HookStates.Active, "2026-01-01T01:00:00.0000000Z", "started")
            .MoveTo(HookStates.Suspended, "2026-01-01T02:00:00.0000000Z", "witness gave up after 3 restarts")
            .MoveTo(HookStates.Archived, "2026-01-01T03:00:00.0000000Z", "released");
        var second = (NewHook("slit") with { CreatedAt = "2026-01-02T00:00:00.0000000Z" }).MoveTo(HookStates.Active, "2026-01-02T01:00:00.0000000Z", "started");
        var other = NewHook("fury", "app-2").MoveTo(HookStates.Active, "2026-01-01T05:00:00.0000000Z", "started");
        var sessions = HookSessions.ForItem([second, other, first], "app-1");
        Assert.Equal([("nux", SessionEnds.GaveUp), ("slit", SessionEnds.Running)], sessions.Select(s => (s.Agent, s.Ended)));
    }

    [Fact]
    public void Comments_go_with_the_session_that_ran_when_they_were_made()
    {
        var h = NewHook()
            .MoveTo(HookStates.Active, "2026-01-01T01:00:00.0000000Z", "started")
            .MoveTo(HookStates.Completed, "2026-01-01T02:00:00.0000000Z", "submitted");
        var comments = new[]
        {
            new Comment { Id = 1, Author = "me", Text = "before", CreatedAt = "2026-01-01T00:30:00.0000000Z" },
            new Comment { Id = 2, Author = "nux", Text = "during", CreatedAt = "2026-01-01T01:30:00.0000000Z" },
            new Comment { Id = 3, Author = "me", Text = "after", CreatedAt = "2026-01-01T03:00:00.0000000Z" },
        };
        var history = ItemHistory.Build("app-1", HookSessions.Of(h), comments);
        Assert.Equal(["during"], Assert.Single(history.Sessions).Comments.Select(c => c.Text));
        Assert.Equal(["before", "after"], history.Other.Select(c => c.Text));
    }
}
