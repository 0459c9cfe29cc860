using Orchestrator.Adapters.Git;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Text;
using Orchestrator.Services.Fleet;
using Orchestrator.Services.Refinery;
using Orchestrator.Testing;
using Orchestrator.Tui.Config;
using Orchestrator.Tui.Panes;
using Orchestrator.Tui.Tests.Support;
using Orchestrator.Tui.Views;
using Terminal.Gui.Input;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// The Review pane and the review view on fixed snapshots: the order, the status line's count,
/// the view's header, files and keys, hostile text, and the screen at 80x24. (Approving and
/// rejecting for real are in <see cref="ReviewTuiTests"/>.)
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class ReviewPaneTests
{
    private static Submission Waiting(string item, string agent, string since) => new()
    {
        Item = item, Rig = "shop", Agent = agent, Branch = $"polecat/{agent}/{item}", Commit = "0badc0de", BaseCommit = "0123",
        SubmittedAt = "2026-11-23T11:30:00Z", State = SubmissionStates.Review, ReviewSince = since, GateVerdict = "green",
        Candidate = "c0ffeec0ffeec0ffeec0ffee", Onto = "feedbeeffeedbeeffeedbeef",
    };

    /// <summary>The sample fleet with two submissions waiting: shop-5 for 12 minutes, shop-3 for 2 (it unblocks shop-4).</summary>
    private static FleetSnapshot TwoWaiting(string? title = null)
    {
        var s = Fleet.Sample();
        if (title is not null) s.Ledger.Get("shop-3").Title = title;
        return s with { Queue = [.. s.Queue, Waiting("shop-5", "bee", "2026-11-23T11:48:00Z"), Waiting("shop-3", "ace", "2026-11-23T11:58:00Z")] };
    }

    /// <summary>What <c>orc review show shop-3</c> would give: two files, a description and acceptance criteria.</summary>
    private static ReviewDetail Detail(FleetSnapshot s, string newLine = "    return Pay(order);")
    {
        var sub = s.Queue.Single(q => q.Item == "shop-3");
        var item = s.Ledger.Get("shop-3");
        item.Description = "Charge the card when the order is placed.";
        item.AcceptanceCriteria = "a paid order has a receipt";
        var added = LineDiff.Unified(null, "namespace Shop;\n\npublic static class Receipt\n{\n}\n");
        var pay = LineDiff.Unified("class Api\n{\n    return null;\n}\n", "class Api\n{\n" + newLine + "\n}\n");
        var patch = "diff --git a/api/Receipt.cs b/api/Receipt.cs\nnew file\n--- /dev/null\n+++ b/api/Receipt.cs\n" + added.Hunks +
            "diff --git a/api/pay.cs b/api/pay.cs\n--- a/api/pay.cs\n+++ b/api/pay.cs\n" + pay.Hunks;
        var changes = new CandidateChanges(
            [new FileChange("api/Receipt.cs", null, "added", added.Added, added.Removed, false), new FileChange("api/pay.cs", null, "modified", pay.Added,
                pay.Removed, false)],
            patch);
        var entry = ReviewOrder.Entry(sub, s.Ledger, [], s.TakenAt);
        return new ReviewDetail(entry, item, changes, ["api/"], [], []);
    }

    [Fact]
    public void The_pane_lists_what_waits_for_review_what_unblocks_most_first_with_its_wait()
    {
        using var ui = new Headless(TwoWaiting(), 120, 40);
        var pane = ui.Window.Pane<ReviewPane>()!;
        Assert.Equal(["shop-3", "shop-5"], pane.Rows.Select(r => r.Key)); // shop-3 unblocks shop-4
        Assert.Matches(@"^shop-3\s+2m\s+Payment API\s+shop/ace · unblocks 1$", pane.Rows[0].Text.TrimEnd());
        Assert.Matches(@"^shop-5\s+12m\s+Receipt e-mails\s+shop/bee$", pane.Rows[1].Text.TrimEnd());
        Assert.Contains("Review (2 waiting)", ui.Screen());
        Assert.Contains("2 to review", ui.Window.Status.Summary());
    }

    [Fact]
    public void The_status_line_says_nothing_of_reviews_when_none_wait()
    {
        using var ui = new Headless(Fleet.Sample(), 120, 40);
        Assert.DoesNotContain("to review", ui.Window.Status.Summary());
        Assert.Empty(ui.Window.Pane<ReviewPane>()!.Rows);
        Assert.True(ui.Window.Focus(PaneKinds.Review));
        Assert.Contains("nothing waits for review", ui.Screen());
    }

    [Fact]
    public void Enter_shows_the_header_the_item_and_the_diff_and_the_keys_move_by_file_and_hunk()
    {
        var s = TwoWaiting();
        using var ui = new Headless(s, 120, 40, reviews: item => Detail(s));
        Assert.True(ui.Window.Focus(PaneKinds.Review));
        ui.Press(Key.Enter);
        var view = Assert.IsType<ReviewView>(ui.Window.CurrentOverlay);
        var screen = ui.Screen();
        Assert.Contains("shop-3  Payment API", screen);
        Assert.Contains("rig shop · agent ace · gate green · waited 2m · unblocks 1 · 2 files +6 -1", screen);
        Assert.Contains("Charge the card when the order is placed.", screen);
        Assert.Contains("a paid order has a receipt", screen);
        Assert.Contains("━━ api/Receipt.cs  added, +5 -0 ━━", screen);
        Assert.Contains("+public static class Receipt", screen);
        Assert.Contains("-    return null;", screen);
        Assert.DoesNotContain("diff --git", screen);
        Assert.Equal(-1, view.CurrentFile);

        ui.Type("]");
        Assert.Equal(0, view.CurrentFile);
        Assert.Equal(ReviewLineKind.File, view.Lines[view.Top].Kind);
        ui.Type("]");
        Assert.Equal(1, view.CurrentFile);
        Assert.StartsWith("━━ api/pay.cs", view.Lines[view.Top].Text);
        ui.Type("[");
        Assert.Equal(0, view.CurrentFile);
        ui.Type("}");
        Assert.Equal(ReviewLineKind.Hunk, view.Lines[view.Top].Kind);
        Assert.Equal(0, view.CurrentFile);
        ui.Type("}");
        Assert.Equal(1, view.CurrentFile); // the next hunk is the next file's
        ui.Press(Key.Home);
        Assert.Equal(0, view.Top);

        ui.Press(Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
        Assert.Equal("review", ui.Window.FocusedPane?.Kind);
    }

    [Fact]
    public void Enter_on_a_review_row_of_the_merge_queue_opens_the_same_view()
    {
        var s = TwoWaiting();
        using var ui = new Headless(s, 120, 40, reviews: item => Detail(s));
        Assert.True(ui.Window.Focus(PaneKinds.Queue));
        ui.Window.Pane<QueuePane>()!.Select("mq:shop/shop-3");
        ui.Press(Key.Enter);
        Assert.Equal("shop-3", Assert.IsType<ReviewView>(ui.Window.CurrentOverlay).Item);
    }

    [Fact]
    public void A_question_asked_from_the_view_comes_back_to_it_when_answered_no()
    {
        var s = TwoWaiting();
        using var ui = new Headless(s, 120, 40, reviews: item => Detail(s));
        ui.Window.Focus(PaneKinds.Review);
        ui.Press(Key.Enter);
        var view = Assert.IsType<ReviewView>(ui.Window.CurrentOverlay);
        ui.Type("a");
        var question = Assert.IsType<ConfirmOverlay>(ui.Window.CurrentOverlay);
        Assert.Contains("Approve shop-3 (Payment API)? The refinery of shop lands it on its next pass.", string.Join(' ', question.Lines));
        ui.Type("n");
        Assert.Same(view, ui.Window.CurrentOverlay);
        ui.Type("r");
        Assert.IsType<FormOverlay>(ui.Window.CurrentOverlay);
        ui.Press(Key.Esc);
        Assert.Same(view, ui.Window.CurrentOverlay);
        ui.Press(Key.Esc);
        Assert.Null(ui.Window.CurrentOverlay);
    }

    [Fact]
    public void Escape_sequences_in_a_title_or_a_diff_line_are_drawn_as_text()
    {
        var s = TwoWaiting(title: "Pay \u001b]0;pwn\u0007 now");
        using var ui = new Headless(s, 120, 40, reviews: item => Detail(s, newLine: "    \u001b[31mred\u001b[0m"));
        var pane = ui.Screen();
        Assert.DoesNotContain("\u001b", pane);
        Assert.Contains("Pay \\e]0;pwn\\x07 now", pane);
        ui.Window.Focus(PaneKinds.Review);
        ui.Press(Key.Enter);
        Assert.IsType<ReviewView>(ui.Window.CurrentOverlay);
        var screen = ui.Screen();
        Assert.DoesNotContain("\u001b", screen);
        Assert.DoesNotContain("\u0007", screen);
        Assert.Contains("shop-3  Pay \\e]0;pwn\\x07 now", screen);
        Assert.Contains("+    \\e[31mred\\e[0m", screen);
    }

    [Fact]
    public void At_80x24_the_pane_and_the_view_are_readable()
    {
        var s = TwoWaiting();
        using var ui = new Headless(s, 80, 24, reviews: item => Detail(s));
        Assert.Contains("2 to review", ui.Screen()); // kept on the status line at 80 columns
        ui.Type("4");
        Assert.Equal("review", ui.Window.FocusedPane?.Kind);
        Approved.Match("review-pane-80x24", ui.Screen());
        ui.Press(Key.Enter);
        Approved.Match("review-view-80x24", ui.Screen());
        ui.Type("]");
        Approved.Match("review-view-file-80x24", ui.Screen());
    }
}
