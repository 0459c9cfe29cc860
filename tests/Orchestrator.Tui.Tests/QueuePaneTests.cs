using Orchestrator.Core.Merging;
using Orchestrator.Testing;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;

namespace Orchestrator.Tui.Tests;

/// <summary>The merge queue pane says what waits for a person's review and what is approved.</summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class QueuePaneTests
{
    [Fact]
    public void Submissions_waiting_for_review_say_so_and_approved_ones_say_when_they_land()
    {
        var s = Fleet.Sample();
        var waiting = new Submission { Item = "shop-5", Rig = "shop", Agent = "bee", Branch = "polecat/bee/shop-5", Commit = "0badc0de", BaseCommit = "0123",
            SubmittedAt = "2026-11-23T11:50:00Z", State = SubmissionStates.Review };
        var approved = waiting with { Item = "shop-3", Agent = "ace", State = SubmissionStates.Approved };
        using var ui = new Headless(s with { Queue = [.. s.Queue, waiting, approved] }, 120, 40, layout: "overview");
        var rows = ui.Window.Pane<QueuePane>()!.Rows.Select(r => r.Text).ToList();
        Assert.Contains(rows, r => r.Contains("shop-5") && r.Contains("review") && r.Contains("waits for your review"));
        Assert.Contains(rows, r => r.Contains("shop-3") && r.Contains("approved") && r.Contains("lands on the refinery's next pass"));
    }
}
