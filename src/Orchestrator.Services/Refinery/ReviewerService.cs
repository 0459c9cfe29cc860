using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Refinery;

/// <summary>
/// The assistive first pass of the review funnel (rig setting <c>review_agent: PROFILE</c>): for a
/// candidate waiting for review, a reviewer agent of that profile reads it in a detached worktree
/// at the candidate (nothing of the rig's moves), comments on the item and notes a verdict
/// (<c>orc review note</c>). The verdict is advice: only a person's <c>orc review approve</c> lands
/// anything. The refinery only holds candidates; the deacon (or <c>orc review assist</c>) starts
/// reviewers here, outside the refinery's landing path. A start is claimed under the workspace
/// lock on the submission (its <see cref="Submission.Reviewer"/> names the candidate), so two
/// processes never start two reviewers for one candidate. A reviewer that gave its verdict, died,
/// or whose candidate was answered first is stopped and its worktree removed; one that did not
/// run to the end leaves a note saying so, and the candidate waits for the person as before.
/// </summary>
public sealed class ReviewerService(RuntimeContext runtime, LedgerService ledger, SlingService sling, ILogger<ReviewerService> logger)
{
    /// <summary>How long a claimed reviewer may take to get its window before it counts as not started.</summary>
    public static readonly TimeSpan StartGrace = TimeSpan.FromMinutes(2);

    /// <summary>The reviewer agent of an item: <c>review-ITEM</c> (a valid agent name; hashed when the id does not make one).</summary>
    public static string NameFor(string item)
    {
        var name = "review-" + item.ToLowerInvariant().Replace('.', '_');
        if (Names.IsValid(name)) return name;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(item)));
        return "review-" + hash[..12];
    }

    /// <summary>
    /// One pass: reviewers that finished, died, or whose candidate is no longer waiting are stopped
    /// and cleaned up; then each candidate waiting for review on a rig with <c>review_agent</c> that
    /// has no pass yet gets its reviewer. Returns what it did, one line each.
    /// </summary>
    public List<string> Pass()
    {
        var did = Tidy();
        foreach (var rig in runtime.Rigs.All().Where(r => r.ReviewAgent is not null))
            foreach (var s in runtime.Queue(rig.Name).All().Where(s => s.State == SubmissionStates.Review && Needs(s, again: false)))
                if (Start(rig, s, again: false) is { } line) did.Add(line);
        return did;
    }

    /// <summary>
    /// <c>orc review assist ITEM</c>: starts the reviewer of one candidate now; again after a pass
    /// that did not run to the end (failed, or stopped). Refuses, saying why, when there is nothing to start.
    /// </summary>
    public string Assist(string item)
    {
        Tidy();
        var s = Find(item);
        if (s.State != SubmissionStates.Review || s.Candidate is null)
            throw new OrcException($"{s.Item} is {s.State}, not waiting for review; only a candidate in 'orc review list' gets a reviewer");
        var rig = runtime.Rigs.Get(s.Rig);
        if (rig.ReviewAgent is null)
            throw new OrcException($"rig {rig.Name} has no review_agent; set one first: orc rig set {rig.Name} review_agent PROFILE");
        if (s.CurrentReview is { State: AgentReviewStates.Running or AgentReviewStates.Done } r)
            throw new OrcException(r.State == AgentReviewStates.Done
                ? $"{r.Agent} already reviewed this candidate of {s.Item}: {r.Verdict} (see 'orc review show {s.Item}')"
                : $"{r.Agent} is reviewing {s.Item} now (see 'orc peek {r.Agent}')");
        return Start(rig, s, again: true) ?? $"{s.Item}: another process started its reviewer just now";
    }

    /// <summary>
    /// <c>orc review note ITEM --verdict approve|changes --text SUMMARY</c>, by the reviewer agent
    /// (<c>ORC_AGENT</c>): the verdict goes on the submission and, with the summary, on the item as a
    /// comment; the reviewer's hook completes (the next pass stops it and removes its worktree).
    /// Nothing is approved, landed or returned.
    /// </summary>
    public Submission Note(string item, string verdict, string? text)
    {
        var caller = runtime.Workspace.Environment("ORC_AGENT");
        if (string.IsNullOrWhiteSpace(caller))
            throw new OrcException("'orc review note' is the reviewer agent's verb (run in its window, where ORC_AGENT is set); a person answers with 'orc review approve' or 'orc review reject'", ExitCodes.Usage);
        verdict = verdict.Trim().ToLowerInvariant();
        if (!ReviewerVerdicts.All.Contains(verdict))
            throw new OrcException($"--verdict: '{TerminalText.Line(verdict)}' is not one of {string.Join(", ", ReviewerVerdicts.All)}", ExitCodes.Usage);
        var summary = WorkItemRules.Text(text, "--text");
        if (string.IsNullOrWhiteSpace(summary)) throw new OrcException("--text: say in a few lines what you found (it goes on the item for the person)",
            ExitCodes.Usage);
        var s = Find(item);
        var now = Timestamps.Format(runtime.Workspace.Now);
        var noted = ledger.Transact("review note", t =>
        {
            var current = runtime.Queue(s.Rig).Find(s.Item) ?? throw new OrcException($"{s.Item} is no longer in the merge queue; your note was not recorded");
            if (current.State != SubmissionStates.Review)
                throw new OrcException($"{s.Item} is {current.State} now, not waiting for review; your note was not recorded");
            var pass = current.CurrentReview;
            if (pass is null || pass.Agent != caller)
                throw new OrcException($"{TerminalText.Line(caller)} is not the reviewer of {s.Item}'s candidate{(pass is null ? "" : $" ({pass.Agent} is)")}; a person answers with 'orc review approve' or 'orc review reject'");
            if (pass.State != AgentReviewStates.Running)
                throw new OrcException($"{caller}'s review of {s.Item} is {pass.State} already; nothing was changed");
            var next = current with { Reviewer = pass with { State = AgentReviewStates.Done, Verdict = verdict, Notes = summary, FinishedAt = now } };
            t.Touched(runtime.Queue(s.Rig).Write(s.Item, next), s.Item);
            if (t.Items.Ledger.Find(s.Item) is { IsClosed: false })
                t.Items.AddComment(s.Item, $"review by {caller} ({pass.Profile}) of candidate {Short(pass.Candidate)}: {verdict}" +
                    $"{(verdict == ReviewerVerdicts.Changes ? " (changes needed)" : "")}\n{summary}\n" +
                    $"(advice for the person who decides: only 'orc review approve {s.Item}' lands it)");
            if (runtime.Hooks.Find(caller) is { Role: Roles.Reviewer } hook && hook.State is not (HookStates.Completed or HookStates.Archived))
            {
                // it answered before its start was recorded
                var active = hook.State == HookStates.Created ? hook.MoveTo(HookStates.Active, now, "started") : hook;
                t.Touched(runtime.Hooks.Write(caller, active.MoveTo(HookStates.Completed, now, "gave its verdict: " + verdict)), caller);
            }
            return next;
        }).Value;
        runtime.Record(caller, EventKinds.Reviewed, s.Item, $"{caller} reviewed {s.Item}: {verdict}: {Clip(summary, 160)} (a person still decides)");
        return noted;
    }

    /// <summary>Whether a candidate waiting for review needs a reviewer started: no pass on this candidate yet (or, asked again, one that did not run to the
    /// end).</summary>
    private static bool Needs(Submission s, bool again) =>
        s.Candidate is not null && s.Onto is not null
        && (s.CurrentReview is not { } r || (again && r.State is AgentReviewStates.Failed or AgentReviewStates.Stopped));

    /// <summary>Claims the candidate's review (under the workspace lock), makes the reviewer's worktree and hook, and starts it. Null when another process
    /// claimed it first.</summary>
    private string? Start(Rig rig, Submission s, bool again)
    {
        var name = NameFor(s.Item);
        var candidate = s.Candidate!;
        var profileName = rig.ReviewAgent!;
        AgentProfile profile;
        try
        {
            profile = runtime.Profiles.Get(profileName);
            if (!runtime.CanStart(profile)) throw new OrcException($"agent profile '{profile.Name}': '{TerminalText.Line(profile.Command)}' is not on PATH");
        }
        catch (OrcException ex)
        {
            return Failed(rig.Name, s.Item, name, profileName, candidate, $"its profile cannot run: {ex.Message}", again);
        }
        var paths = runtime.Workspace.Paths;
        var worktree = paths.Worktree(rig.Name, name);
        var repo = new RigRepository(paths.RigDir(rig.Name));
        var now = Timestamps.Format(runtime.Workspace.Now);
        Hook? hook;
        try
        {
            hook = ledger.Transact<Hook?>("reviewer start", t =>
            {
                var current = runtime.Queue(rig.Name).Find(s.Item);
                // Someone else claimed it, or the person answered, or a new candidate came: nothing to do here.
                if (current is not { State: SubmissionStates.Review } || current.Candidate != candidate || !Needs(current, again)) return null;
                if (runtime.Hooks.Find(name) is { } old)
                {
                    if (old.State != HookStates.Archived) return null; // its previous reviewer is still being stopped: the next pass
                    t.Touched(runtime.HookArchive.Write($"{name}-{new string(old.CreatedAt.Where(char.IsAsciiDigit).ToArray())}", old), name);
                }
                repo.RemoveWorktree(name, worktree, deleteBranch: null); // a leftover of an earlier reviewer of this item (ours: read-only)
                repo.AddDetachedWorktree(name, candidate, worktree);
                var h = new Hook
                {
                    Agent = name, Rig = rig.Name, Role = Roles.Reviewer, Item = s.Item, Branch = "", Worktree = worktree,
                    BaseCommit = current.Onto!, Profile = profile.Name, CreatedAt = now,
                    History = [new HookEvent(now, "", HookStates.Created, $"reviews {s.Item} at {Short(candidate)}")],
                };
                t.Touched(runtime.Hooks.Write(name, h), name);
                var pass = new AgentReview { Agent = name, Profile = profile.Name, Candidate = candidate, StartedAt = now };
                t.Touched(runtime.Queue(rig.Name).Write(s.Item, current with { Reviewer = pass }), s.Item);
                return h;
            }).Value;
        }
        catch (Exception ex) when (ex is OrcException or IOException or LibGit2Sharp.LibGit2SharpException)
        {
            logger.LogWarning(ex, "reviewer of {Item}: no worktree", s.Item);
            RemoveWorktree(rig.Name, name, worktree);
            return Failed(rig.Name, s.Item, name, profile.Name, candidate, $"its worktree could not be made: {ex.Message}", again);
        }
        if (hook is null) return null;
        try
        {
            sling.Start(hook, profile, rig, firstStart: true);
            ledger.Transact("reviewer started", t =>
            {
                if (runtime.Hooks.Find(name) is { State: HookStates.Created } h && h.CreatedAt == hook.CreatedAt)
                    t.Touched(runtime.Hooks.Write(name, h.MoveTo(HookStates.Active, Timestamps.Format(runtime.Workspace.Now), "started")), name);
                return 0;
            });
        }
        catch (Exception ex) when (ex is OrcException or IOException or System.ComponentModel.Win32Exception)
        {
            logger.LogWarning(ex, "reviewer {Agent} of {Item} did not start", name, s.Item);
            Retire(hook, "did not start");
            return Failed(rig.Name, s.Item, name, profile.Name, candidate, $"{name} did not start: {ex.Message}", again);
        }
        runtime.Record(runtime.Workspace.Actor, EventKinds.Reviewed, s.Item,
            $"started {name} ({profile.Name}) to review {s.Item}'s candidate {Short(candidate)}; its verdict is advice, a person still decides");
        return $"started reviewer {name} for {s.Item}";
    }

    /// <summary>
    /// Reviewers that are done with: one that gave its verdict is stopped and cleaned up; one whose
    /// candidate is no longer waiting for it (the person answered first, a new candidate) is stopped
    /// too (its pass marked stopped); one whose program ended without a verdict (or never got its
    /// window) is cleaned up and its pass marked failed, with a note on the item.
    /// </summary>
    private List<string> Tidy()
    {
        var did = new List<string>();
        // Windows first, hooks second: a reviewer completes its hook before its program ends, so a
        // dead pane is always seen together with the hook state it left behind.
        var windows = TmuxServer.ByTarget(runtime.Tmux.ListWindows());
        var now = runtime.Workspace.Now;
        foreach (var h in runtime.Hooks.All().Where(h => h.Role == Roles.Reviewer && h.State != HookStates.Archived))
        {
            var s = h.Item is { } id && runtime.Rigs.Exists(h.Rig) ? runtime.Queue(h.Rig).Find(id) : null;
            var pass = s?.Reviewer is { } r && r.Agent == h.Agent ? r : null;
            if (h.State == HookStates.Completed)
            {
                Retire(h, "its work ended");
                // Its hook ended some other way than its verdict (by hand: 'orc unsling'): the pass did not finish.
                if (s is { State: SubmissionStates.Review } && pass is { State: AgentReviewStates.Running } && pass.Candidate == s.Candidate)
                    Failed(h.Rig, s.Item, h.Agent, h.Profile, pass.Candidate,
                        $"{h.Agent}'s work was ended ({TerminalText.Line(h.History.LastOrDefault()?.Why ?? "by hand")}) before it gave a verdict",
                        again: false);
                did.Add($"stopped reviewer {h.Agent}: its work ended");
                continue;
            }
            if (s is not { State: SubmissionStates.Review } || pass is not { State: AgentReviewStates.Running } || pass.Candidate != s.Candidate)
            {
                Retire(h, "its candidate no longer waits for it");
                if (s is not null && pass is { State: AgentReviewStates.Running })
                    Mark(s.Rig, s.Item, h.Agent, pass.Candidate, AgentReviewStates.Stopped,
                        $"stopped before its verdict: {s.Item} was {s.State} {(s.State == SubmissionStates.Review ? "with a new candidate" : "by then")}",
                        null);
                did.Add($"stopped reviewer {h.Agent}: {h.Item} no longer waits for it");
                continue;
            }
            windows.TryGetValue((h.Rig, h.Agent), out var w);
            if (w is { PaneDead: false }) continue;
            if (w is null)
            {
                // The windows were listed before the hooks were read: a reviewer another process
                // started in between has its window now (its hook turns active only after the
                // window exists). Look again before calling it gone.
                TmuxServer.ByTarget(runtime.Tmux.ListWindows()).TryGetValue((h.Rig, h.Agent), out w);
                if (w is { PaneDead: false }) continue;
            }
            if (h.State == HookStates.Created && Timestamps.TryParse(h.CreatedAt, out var created) && now - created < StartGrace) continue; // being started
            var how = w is null ? "its window is gone" : $"its program ended{(w.ExitStatus is { } code ? $" with status {code}" : "")}";
            Retire(h, "ended without a verdict");
            Failed(h.Rig, s.Item, h.Agent, h.Profile, pass.Candidate, $"{h.Agent} ({h.Profile}) did not finish: {how} before it gave a verdict", again: false);
            did.Add($"reviewer {h.Agent} of {s.Item} ended without a verdict");
        }
        // A pass still recorded as running whose reviewer has no hook any more (removed by hand): it cannot finish.
        // (A claim writes the pass and the hook in one locked change, so a running pass always had its hook.)
        var live = runtime.Hooks.All().Where(h => h.Role == Roles.Reviewer
            && h.State != HookStates.Archived).Select(h => h.Agent).ToHashSet(StringComparer.Ordinal);
        foreach (var rig in runtime.Rigs.All())
            foreach (var s in runtime.Queue(rig.Name).All().Where(s => s.State == SubmissionStates.Review
                && s.CurrentReview is { State: AgentReviewStates.Running } r && !live.Contains(r.Agent)))
                if (Failed(rig.Name, s.Item, s.Reviewer!.Agent, s.Reviewer.Profile, s.Reviewer.Candidate,
                    $"{s.Reviewer.Agent} is gone (its hook was removed) before it gave a verdict", again: false,
                        // a start just now is not an orphan
                        still: () => runtime.Hooks.Find(s.Reviewer.Agent) is not { Role: Roles.Reviewer, State: not HookStates.Archived }) is { } line)
                    did.Add(line);
        return did;
    }

    /// <summary>
    /// Records that the assistive pass on a candidate did not run (to the end): on the submission,
    /// on the item (a comment saying it waits for the person as before) and in the feed. Once per
    /// pass: nothing is written when another process recorded it, or the reviewer gave its verdict.
    /// </summary>
    /// <param name="still">Checked again under the lock: false leaves everything as it is.</param>
    private string? Failed(string rig, string item, string agent, string profile, string candidate, string why, bool again, Func<bool>? still = null)
    {
        var written = Mark(rig, item, agent, candidate, AgentReviewStates.Failed, why, profile, again, still);
        if (!written) return null;
        runtime.Record(runtime.Workspace.Actor, EventKinds.Reviewed, item,
            $"the assistive review of {item} did not run: {TerminalText.Line(why)}; it waits for a person as before");
        return $"{item}: the assistive review did not run: {TerminalText.Line(why)}";
    }

    /// <summary>
    /// Sets the state of a candidate's pass under the lock (a failure also comments on the item).
    /// Only a running pass moves, or, for a start that failed (<paramref name="profile"/> given), a
    /// candidate with no pass yet or (asked again) one that did not run to the end. False when nothing changed.
    /// </summary>
    private bool Mark(string rig, string item, string agent, string candidate, string state, string why, string? profile, bool again = false,
        Func<bool>? still = null) =>
        ledger.Transact("reviewer " + state, t =>
        {
            if (still is not null && !still()) return false;
            var current = runtime.Queue(rig).Find(item);
            if (current is null || (state == AgentReviewStates.Failed && current.Candidate != candidate)) return false;
            var pass = current.Reviewer is { } r && r.Agent == agent && r.Candidate == candidate ? r : null;
            var may = pass is null
                ? profile is not null && Needs(current, again)
                : pass.State == AgentReviewStates.Running || (again && profile is not null
                    && pass.State is AgentReviewStates.Failed or AgentReviewStates.Stopped);
            if (!may) return false;
            var now = Timestamps.Format(runtime.Workspace.Now);
            pass = (pass ?? new AgentReview { Agent = agent, Profile = profile!, Candidate = candidate, StartedAt = now })
                with { State = state, Notes = why, FinishedAt = now };
            t.Touched(runtime.Queue(rig).Write(item, current with { Reviewer = pass }), item);
            if (state == AgentReviewStates.Failed && current.State == SubmissionStates.Review && t.Items.Ledger.Find(item) is { IsClosed: false })
                t.Items.AddComment(item, $"the assistive review did not run: {TerminalText.Line(why)}. {item} waits for a person's review as before ('orc review show {item}'; 'orc review assist {item}' tries again).");
            return true;
        }).Value;

    /// <summary>Stops a reviewer: its window closed, its worktree removed (the rig's branches untouched), its hook archived.</summary>
    private void Retire(Hook h, string why)
    {
        try { runtime.Tmux.KillWindow(h.Rig, h.Agent); }
        catch (OrcException ex) { logger.LogInformation("reviewer {Agent}: closing its window: {Message}", h.Agent, ex.Message); }
        RemoveWorktree(h.Rig, h.Agent, h.Worktree);
        ledger.Transact("reviewer " + why, t =>
        {
            if (runtime.Hooks.Find(h.Agent) is { } current && current.State != HookStates.Archived && current.CreatedAt == h.CreatedAt)
                t.Touched(runtime.Hooks.Write(h.Agent, current.MoveTo(HookStates.Archived, Timestamps.Format(runtime.Workspace.Now), why)), h.Agent);
            return 0;
        });
    }

    private void RemoveWorktree(string rig, string name, string worktree)
    {
        try
        {
            var dir = runtime.Workspace.Paths.RigDir(rig);
            if (RigRepository.IsRepository(dir)) new RigRepository(dir).RemoveWorktree(name, worktree, deleteBranch: null);
        }
        catch (Exception ex) when (ex is OrcException or IOException or UnauthorizedAccessException or LibGit2Sharp.LibGit2SharpException)
        {
            logger.LogWarning(ex, "reviewer {Agent}: its worktree {Worktree} was not removed", name, worktree);
        }
    }

    private Submission Find(string item)
    {
        foreach (var r in runtime.Rigs.All())
            if (runtime.Queue(r.Name).Find(item) is { } s) return s;
        throw new OrcException($"no submission for '{TerminalText.Line(item)}' in any rig's merge queue (see 'orc mq list')", ExitCodes.NotFound);
    }

    private static string Short(string commit) => commit[..Math.Min(12, commit.Length)];

    private static string Clip(string s, int max)
    {
        var line = TerminalText.Line(s);
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
