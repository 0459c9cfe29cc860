using Orchestrator.Core;
using Orchestrator.Services.Refinery;

namespace Orchestrator.Tui.Views;

internal sealed partial class FleetWindow
{
    /// <summary>The review view, while it is open.</summary>
    public ReviewView? Review => SubViews.OfType<ReviewView>().FirstOrDefault();

    /// <summary>
    /// Enter on a submission waiting for review: reads it (the diff comes from git, so off the UI
    /// thread) and shows it over the whole screen. One that no longer waits says why on the status line.
    /// </summary>
    private void OpenReview(string item)
    {
        Status.Say($"reading {item}…", seconds: 30);
        Host.Background(() =>
        {
            ReviewDetail? detail = null;
            string? error = null;
            try { detail = Host.Reviews(item); }
            catch (OrcException ex) { error = ex.Message; }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or LibGit2Sharp.LibGit2SharpException)
            {
                error = $"cannot read {item}'s diff: {ex.Message}";
            }
            Host.OnUi(() =>
            {
                if (detail is null) { Status.Say(error ?? $"cannot read {item}", error: true); return; }
                Status.Say("", seconds: 0);
                var view = new ReviewView(detail);
                view.Approve = () => AskApprove(item, view);
                view.Reject = () => AskReject(item, view);
                ShowOverlay(view);
            });
        });
    }

    /// <summary><c>a</c>: asks, then runs <c>orc review approve ITEM</c>; the review view (if open) closes once it worked.</summary>
    private void AskApprove(string item, ReviewView? view)
    {
        var title = _snapshot?.Ledger.Find(item)?.Title;
        var rig = view?.Detail.Entry.Submission.Rig ?? _snapshot?.Queue.FirstOrDefault(q => q.Item == item)?.Rig ?? "its rig";
        ShowOverlay(new ConfirmOverlay($"Approve {item}{(title is { Length: > 0 } ? " (" + title + ")" : "")}? The refinery of {rig} lands it on its next pass.",
            () => ReviewVerb("approving", ["review", "approve", item], view)), over: view is not null);
    }

    /// <summary><c>r</c>: asks for the reason (it goes on the item and to the worker), then runs <c>orc review reject ITEM --reason TEXT</c>.</summary>
    private void AskReject(string item, ReviewView? view)
    {
        ShowOverlay(new FormOverlay($"reject {item}: the work goes back to its worker", [new FormField("reason", "reason")], values =>
        {
            var reason = values["reason"].Trim();
            if (reason.Length == 0) { Status.Say("a rejection needs a reason (it goes to the worker); nothing was done", error: true); return; }
            ReviewVerb("rejecting", ["review", "reject", item, "--reason", reason], view);
        }, Viewport.Width), over: view is not null);
    }

    /// <summary>
    /// Runs a review verb as a child orc (as the command palette does: no shell, its output
    /// captured), says its first line on the status line, and closes the review view when it worked.
    /// </summary>
    private void ReviewVerb(string what, IReadOnlyList<string> args, ReviewView? view) =>
        Do(what, () =>
        {
            var outcome = Host.Self.RunAsync(args, timeout: TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
            var said = outcome.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
            if (outcome.ExitCode != 0) throw new OrcException(said.Length > 0 ? said : $"orc {string.Join(' ', args.Take(2))}: exit {outcome.ExitCode}");
            return said.Length > 0 ? said : $"orc {string.Join(' ', args.Take(2))}: ok";
        }, then: () => view?.Close());
}
