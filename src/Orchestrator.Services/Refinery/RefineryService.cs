using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Processes;
using Orchestrator.Adapters.Storage;
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

/// <summary>What happened to one submission in a refinery pass.</summary>
public sealed record RefineryOutcome(string Item, string Result, string? Commit, string? Reason);

/// <summary>
/// The refinery of one rig: the only thing that moves the rig's main. It takes queued
/// submissions in dependency, priority and age order, squashes each onto main as one commit,
/// runs the rig's gate on the result in a scratch worktree, and fast-forwards main on green. On a
/// conflict or a red gate nothing lands and the work goes back to its worker with the reason.
/// Every step is recorded before the next, so a refinery killed at any point resumes without
/// losing a submission or landing one twice.
/// </summary>
public sealed partial class RefineryService(RuntimeContext runtime, LedgerService ledger, AgentService agents, Mail.MailService mail,
    Convoys.ConvoyService convoys, ILogger<RefineryService> logger)
{
    public static string SourceOf(string rig) => "refinery@" + rig;

    /// <summary>
    /// The rig's repository as the refinery works on it, made from the rig's directory: git
    /// (<see cref="RigIntegration"/>), or a model of it in tests of the refinery's decisions.
    /// </summary>
    public Func<string, IRigIntegration> Integration { get; init; } = dir => new RigIntegration(dir);

    /// <summary>How the rig's gate runs on a candidate: a child process, or in tests a gate that answers per candidate.</summary>
    public IGateRunner GateRunner { get; init; } = ProcessGateRunner.Instance;

    /// <summary>Gate runs made by this object (tests count them).</summary>
    public int GateRuns { get; private set; }

    // What the refinery needs before it can land anything: the rig's checkout able to follow main,
    // and (with a gate) the scratch worktree. When one of them keeps failing, passes back off.
    private const string CheckoutStep = "checkout";
    private const string ScratchStep = "scratch";

    /// <summary>Per rig: the back-off of a setup step that keeps failing. Lives as long as this object (the refinery loop).</summary>
    private readonly Dictionary<string, SetupBackoff> _setup = new(StringComparer.Ordinal);

    /// <summary>Rigs whose last round was given back because origin moved: the pass goes on with another round.</summary>
    private readonly HashSet<string> _rebuild = new(StringComparer.Ordinal);

    /// <summary>A setup step failed: nothing landed, the submissions are queued again, and passes back off.</summary>
    private sealed class SetupFailure(string step, string message) : Exception(message)
    {
        public string Step { get; } = step;
    }

    /// <summary>Why the rig's refinery is backing off (a setup step keeps failing), or null.</summary>
    public string? BackingOff(string rig) =>
        _setup.GetValueOrDefault(rig)?.Failing is { } f
            ? $"{Describe(f.Kind)}: {f.Message} ({f.Failures} failed attempt{(f.Failures == 1 ? "" : "s")} since {Timestamps.Format(f.Since)})" : null;

    /// <summary>The lock only one refinery per rig can hold; null if another refinery has it.</summary>
    public FileLock? Claim(string rig) =>
        FileLock.TryAcquire(Path.Combine(runtime.Workspace.Paths.LocksDir, Core.Supervision.ServiceDefinition.ForRefinery(rig).LockFile), $"refinery of {rig}");

    /// <summary>One pass over the queue; the caller holds the rig's refinery lock.</summary>
    public List<RefineryOutcome> Pass(Rig rig)
    {
        var outcomes = new List<RefineryOutcome>();
        StopLeftoverGate(rig);
        if (Backoff(rig.Name).ShouldWait(runtime.Workspace.Now)) return outcomes;
        var git = Integration(runtime.Workspace.Paths.RigDir(rig.Name));
        _moved[rig.Name] = 0;
        if (!Recover(rig, git, outcomes)) return outcomes;
        LandApproved(rig, git, outcomes);
        if (!FollowPullRequests(rig, git, outcomes)) return outcomes; // land: pr without its CLI or origin: the queue waits
        var rounds = 0;
        while (rounds++ < 1000)
        {
            var all = runtime.Queue(rig.Name).All();
            var queue = all.Where(s => s.State == SubmissionStates.Queued).ToList();
            if (queue.Count == 0) break;
            var items = ledger.ReadSummary();
            var (ready, waiting) = MergeOrder.Plan(queue, id => items.Find(id)?.Dependencies
                .Where(d => DependencyTypes.IsBlocking(d.Type)).Select(d => d.DependsOnId) ?? [],
                all.Where(s => s.IsOpen && s.State != SubmissionStates.Queued).Select(s => s.Item));
            if (ready.Count == 0)
            {
                foreach (var w in waiting) outcomes.Add(new RefineryOutcome(w.Submission.Item, "waiting", null, $"waits for {w.WaitsFor}"));
                break; // a cycle, or what they wait for waits for a person: nothing to do until one changes
            }
            // Approved work (rebuilt because main moved) goes first: a person is waiting for it.
            ready = ready.OrderBy(s => s.ApprovedBy is null ? 1 : 0).ToList();
            if (!Round(rig, git, ready.Take(Math.Max(1, rig.Batch)).ToList(), outcomes) && !_rebuild.Remove(rig.Name)) break;
        }
        return outcomes;
    }

    /// <summary>
    /// Finishes submissions a killed refinery left in state merging: landed ones are recorded, the
    /// rest queued again. False when it cannot tell (with <c>push: on</c>, origin out of reach): they
    /// stay merging and nothing else happens this pass.
    /// </summary>
    private bool Recover(Rig rig, IRigIntegration git, List<RefineryOutcome> outcomes)
    {
        // Killed while moving main, it may have left the rig's checkout half-way between two commits it recorded.
        var moves = runtime.Queue(rig.Name).All().Where(s => s.State == SubmissionStates.Merging)
            .SelectMany(s => new[] { s.Onto, s.Candidate }).OfType<string>().ToList();
        if (moves.Count > 0 && git.RepairInterruptedMove(rig.DefaultBranch, moves))
        {
            logger.LogWarning("refinery {Rig}: finished bringing the checkout to {Branch}: a stopped refinery left it half-way", rig.Name, rig.DefaultBranch);
            runtime.Record(SourceOf(rig.Name), EventKinds.Recovered, null,
                $"the rig's checkout was left half-way to a new {rig.DefaultBranch} by a refinery that was stopped; brought it to {rig.DefaultBranch}'s tip");
        }
        var merging = runtime.Queue(rig.Name).All().Where(s => s.State == SubmissionStates.Merging).ToList();
        // Pushed but killed before the local main moved: only origin has it; following it first tells.
        if (merging.Count > 0 && !SyncOrigin(rig, git, merging.Select(s => s.Item), outcomes)) return false;
        foreach (var s in merging)
        {
            // Only the exact commit recorded before main moved counts: an older landing of the same
            // item (reopened, resubmitted) must not pass for this one.
            var landed = s.Candidate is { } c && git.Contains(rig.DefaultBranch, c) ? c : null;
            if (landed is not null)
            {
                FinishMerged(rig, [(s, landed)], "recovered after a restart");
                outcomes.Add(new RefineryOutcome(s.Item, "merged", landed, "recovered"));
            }
            else if (RecoverPullRequest(rig, s, outcomes)) { }
            else if (s.ApprovedBy is not null && s.Candidate is { } reviewed && s.Onto == git.TipOf(rig.DefaultBranch) && git.CommitExists(reviewed))
            {
                // An approved candidate whose main has not moved: it lands as it was reviewed, no gate run.
                Save(s with { State = SubmissionStates.Approved }, "requeue");
                runtime.Record(SourceOf(rig.Name), EventKinds.Recovered, s.Item,
                    $"{s.Item} was being landed when the refinery stopped; approved and still on {rig.DefaultBranch}'s tip, it lands as reviewed");
            }
            else
            {
                Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue");
                runtime.Record(SourceOf(rig.Name), EventKinds.Recovered, s.Item, $"{s.Item} was being merged when the refinery stopped; queued again");
            }
        }
        return true;
    }

    /// <summary>One stack of up to <c>batch</c> submissions: squash, gate, land or return. False when nothing could progress.</summary>
    private bool Round(Rig rig, IRigIntegration git, List<Submission> batch, List<RefineryOutcome> outcomes)
    {
        // Checked before anything is squashed, recorded or gated: a checkout that cannot follow
        // main would only make the whole round fail at its end.
        if (git.CheckoutBlocker(rig.DefaultBranch) is { } blocked)
        {
            SetupFailed(rig, CheckoutStep, blocked, batch.Select(s => s.Item), outcomes);
            return false;
        }
        SetupWorked(rig, CheckoutStep);
        if (!SyncOrigin(rig, git, batch.Select(s => s.Item), outcomes)) return false;
        var main = git.TipOf(rig.DefaultBranch);
        var stacked = new List<(Submission Sub, string Commit)>();
        var onto = main;
        var items = ledger.ReadSummary();
        foreach (var s in batch)
        {
            if (git.BranchTip(s.Branch) is null)
            {
                Reject(rig, s, RejectionCause.Branch, $"its branch {s.Branch} was deleted", null, outcomes);
                continue;
            }
            var title = items.Find(s.Item)?.Title ?? s.Item;
            var squash = git.Squash(onto, s.Commit, RigIntegration.LandingMessage(s.Item, title, s.Agent, s.Commits), runtime.Workspace.Now);
            if (squash.Missing is { } missing) { Reject(rig, s, null, missing, null, outcomes); continue; }
            if (squash.Conflicts.Count > 0)
            {
                Reject(rig, s, RejectionCause.Conflict, $"conflicts with {rig.DefaultBranch} in {string.Join(", ", squash.Conflicts.Take(10).Select(TerminalText.Line))}",
                    "conflicting files:\n" + string.Join('\n', squash.Conflicts.Select(TerminalText.Line)), outcomes);
                continue;
            }
            if (squash.MarkerFiles.Count > 0)
            {
                Reject(rig, s, RejectionCause.Conflict, $"leaves conflict markers in {string.Join(", ", squash.MarkerFiles.Take(10).Select(TerminalText.Line))}",
                    "files with <<<<<<< / >>>>>>> markers:\n" + string.Join('\n', squash.MarkerFiles.Select(TerminalText.Line)), outcomes);
                continue;
            }
            stacked.Add((s, squash.Commit!));
            onto = squash.Commit!;
        }
        if (stacked.Count == 0) return true; // every one was returned: the queue changed

        // Record the candidates before touching main: a restart then knows what may have landed.
        ledger.Transact("refinery merging", t =>
        {
            var prev = main;
            foreach (var (s, c) in stacked)
            {
                t.Touched(runtime.Queue(rig.Name).Write(s.Item, s with { State = SubmissionStates.Merging, Candidate = c, Onto = prev,
                    Attempts = s.Attempts + 1 }), s.Item);
                prev = c;
            }
            return 0;
        });
        var current = stacked.Select(x => x with { Sub = runtime.Queue(rig.Name).Find(x.Sub.Item)! }).ToList();

        bool green;
        string tail;
        try { (green, tail) = Gate(rig, git, current[^1].Commit, current.Select(x => x.Sub.Item).ToList()); }
        catch (SetupFailure f) { return Postpone(rig, current, f, outcomes); }
        if (green) return Accept(rig, git, main, current, tail, outcomes);
        if (current.Count == 1)
        {
            Reject(rig, current[0].Sub, RejectionCause.Gate, GateReason(rig), tail, outcomes);
            return true;
        }
        // A red batch: find the first submission whose prefix is red.
        var tails = new Dictionary<int, string> { [current.Count] = tail };
        int culprit, greenPrefix;
        try
        {
            (culprit, greenPrefix) = Bisection.FirstBad(current.Count, k =>
            {
                var (ok, t) = Gate(rig, git, current[k - 1].Commit, current.Take(k).Select(x => x.Sub.Item).ToList());
                tails[k] = t;
                return ok;
            });
        }
        catch (SetupFailure f) { return Postpone(rig, current, f, outcomes); }
        runtime.Record(SourceOf(rig.Name), EventKinds.GateRun, current[culprit].Sub.Item,
            $"bisected a red batch of {current.Count}: {current[culprit].Sub.Item} breaks the gate; {greenPrefix} before it are green");
        if (greenPrefix > 0 && !Accept(rig, git, main, current.Take(greenPrefix).ToList(), tails.GetValueOrDefault(greenPrefix, ""), outcomes))
        {
            foreach (var (s, _) in current.Skip(greenPrefix))
                Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue"); // nothing landed: the rest waits too
            return false;
        }
        Reject(rig, current[culprit].Sub, RejectionCause.Gate, GateReason(rig), tails.GetValueOrDefault(culprit + 1, tail), outcomes);
        foreach (var (s, _) in current.Skip(culprit + 1))
            Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue"); // restacked on the new main next round
        return true;
    }

    private static string GateReason(Rig rig) => $"the gate ({TerminalText.Line(rig.Gate)}) failed";

    private (bool Green, string Tail) Gate(Rig rig, IRigIntegration git, string commit, List<string> items)
    {
        if (rig.GateArgv.Count == 0) return (true, "");
        GateRuns++;
        var scratch = runtime.Workspace.Paths.GateWorktree(rig.Name);
        try { git.PrepareScratch(scratch, RigIntegration.ScratchName(rig.Name), commit); }
        catch (OrcException e) { throw new SetupFailure(ScratchStep, e.Message); }
        SetupWorked(rig, ScratchStep);
        var env = new Dictionary<string, string?>
        {
            ["ORC_RIG"] = rig.Name, ["ORC_ITEMS"] = string.Join(' ', items), ["ORC_AGENT"] = null, ["ORC_WORKSPACE"] = null, ["GIT_DIR"] = null,
        };
        var markFile = GateMarkFile(rig);
        CommandOutcome outcome;
        try { outcome = GateRunner.Run(new GateRun(rig, commit, items, scratch, env, mark => RecordGate(rig, markFile, mark))); }
        finally { TryDelete(markFile); }
        var verdict = outcome.TimedOut ? $"timed out after {rig.GateTimeoutSeconds}s" : outcome.Green ? "green" : $"red (exit {outcome.ExitCode})";
        runtime.Record(SourceOf(rig.Name), EventKinds.GateRun, string.Join(' ', items),
            $"gate on {commit[..12]} ({items.Count} item{(items.Count == 1 ? "" : "s")}): {verdict} in {outcome.Elapsed.TotalSeconds:0.0}s");
        var tail = outcome.TimedOut ? $"(stopped after {rig.GateTimeoutSeconds}s)\n{outcome.Tail}" : outcome.Tail;
        return (outcome.Green, tail);
    }

    /// <summary>Moves main to the last of <paramref name="stack"/> and records every item as merged.</summary>
    private bool Land(Rig rig, IRigIntegration git, string expectedMain, List<(Submission Sub, string Commit)> stack, List<RefineryOutcome> outcomes)
    {
        if (!PushLanding(rig, git, stack, outcomes, out var moved))
        {
            if (moved) _rebuild.Add(rig.Name);
            return false;
        }
        try
        {
            git.FastForward(rig.DefaultBranch, expectedMain, stack[^1].Commit, $"land {string.Join(' ', stack.Select(x => x.Sub.Item))}");
        }
        catch (OrcException ex) when (rig.Push)
        {
            // Origin has it: it landed. The local main follows origin's on the next round.
            logger.LogWarning("refinery {Rig}: pushed, but the local {Branch} cannot move yet: {Message}", rig.Name, rig.DefaultBranch, ex.Message);
        }
        catch (OrcException ex)
        {
            // main moved under us, or its checkout became dirty during the gate: nothing landed; try again later.
            foreach (var (s, _) in stack) Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue");
            if (git.CheckoutBlocker(rig.DefaultBranch) is { } blocked)
            {
                SetupFailed(rig, CheckoutStep, blocked, stack.Select(x => x.Sub.Item), outcomes);
                return false;
            }
            logger.LogWarning("refinery {Rig}: cannot move {Branch}: {Message}", rig.Name, rig.DefaultBranch, ex.Message);
            runtime.Record(SourceOf(rig.Name), EventKinds.Error, null, $"cannot move {rig.DefaultBranch}: {ex.Message}");
            return false;
        }
        FinishMerged(rig, stack, "landed");
        foreach (var (s, c) in stack) outcomes.Add(new RefineryOutcome(s.Item, "merged", c, null));
        return true;
    }

    /// <summary>Where a running gate's <see cref="SessionMark"/> is kept (.orc/run/refinery-RIG.gate, not committed).</summary>
    private string GateMarkFile(Rig rig) => Path.Combine(runtime.Workspace.Paths.RunDir, $"refinery-{rig.Name}.gate");

    /// <summary>
    /// A refinery killed during a gate (SIGKILL, a crash) leaves the gate running in its own
    /// session, in the scratch worktree, with no time limit any more. The next pass stops it
    /// before anything reuses the scratch worktree.
    /// </summary>
    private void StopLeftoverGate(Rig rig)
    {
        var file = GateMarkFile(rig);
        if (!File.Exists(file)) return;
        string text;
        try { text = File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        if (SessionMark.Parse(text) is { } mark && mark.Kill() is var killed and > 0)
        {
            logger.LogWarning("refinery {Rig}: stopped {Count} process(es) of a gate a stopped refinery left running (session {Pid})", rig.Name, killed,
                mark.Pid);
            runtime.Record(SourceOf(rig.Name), EventKinds.Cleaned, null,
                $"stopped a gate left running by a refinery that did not finish its pass ({killed} process{(killed == 1 ? "" : "es")}, session {mark.Pid})");
        }
        TryDelete(file);
    }

    private void RecordGate(Rig rig, string markFile, SessionMark mark)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(markFile)!);
            AtomicFile.Write(markFile, System.Text.Encoding.UTF8.GetBytes(mark + "\n"));
        }
        catch (Exception e) when (e is OrcException or IOException or UnauthorizedAccessException)
        {
            // The gate runs either way; only a refinery killed during it could not stop it afterwards.
            logger.LogWarning("refinery {Rig}: cannot record the gate's session: {Message}", rig.Name, e.Message);
        }
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private SetupBackoff Backoff(string rig)
    {
        if (!_setup.TryGetValue(rig, out var b)) _setup[rig] = b = new SetupBackoff(SetupBackoff.DefaultCap);
        return b;
    }

    private static string Describe(string step) => step switch
    {
        CheckoutStep => "the rig's checkout cannot follow main",
        RemoteStep => "the rig's main cannot follow its origin",
        PushStep => "landed work cannot be pushed to the rig's origin",
        _ => "the gate's scratch worktree cannot be prepared",
    };

    private static string DescribeWorking(string step) => step switch
    {
        CheckoutStep => "the rig's checkout can follow main",
        RemoteStep => "the rig's main follows its origin",
        PushStep => "landed work is pushed to the rig's origin",
        _ => "the gate's scratch worktree is ready",
    };

    /// <summary>The stack recorded as merging goes back to the queue unchanged; nothing landed.</summary>
    private bool Postpone(Rig rig, List<(Submission Sub, string Commit)> stack, SetupFailure f, List<RefineryOutcome> outcomes)
    {
        foreach (var (s, _) in stack) Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue");
        SetupFailed(rig, f.Step, f.Message, stack.Select(x => x.Sub.Item), outcomes);
        return false;
    }

    /// <summary>A failed setup step: one event when a failing spell starts, then passes back off (see <see cref="SetupBackoff"/>).</summary>
    private void SetupFailed(Rig rig, string step, string message, IEnumerable<string> items, List<RefineryOutcome> outcomes)
    {
        var backoff = Backoff(rig.Name);
        if (backoff.Failed(step, message, runtime.Workspace.Now))
        {
            logger.LogWarning("refinery {Rig}: {Step}: {Message}", rig.Name, Describe(step), message);
            var said = $"{Describe(step)}: {message}; nothing lands until it is fixed (retrying with back-off, at least every {backoff.Cap.TotalMinutes:0} min)";
            runtime.Record(SourceOf(rig.Name), EventKinds.Error, null, said);
            // The origin is the person's to fix (credentials, protection, a diverged main): tell them once.
            if (step is RemoteStep or PushStep)
                Tell(rig, Core.Mail.MailRules.Overseer, $"{rig.Name}: {Describe(step)}",
                    said + $"\n\nThe queued work waits, nothing is lost. See `orc mq list --rig {rig.Name}` and `orc feed`.", items.FirstOrDefault());
        }
        else logger.LogInformation("refinery {Rig}: {Step} still failing ({Failures} attempts): {Message}", rig.Name, step, backoff.Failing!.Failures, message);
        foreach (var item in items) outcomes.Add(new RefineryOutcome(item, "waiting", null, Describe(step)));
    }

    /// <summary>A setup step worked: if it was failing, its spell ends with one event.</summary>
    private void SetupWorked(Rig rig, string step)
    {
        if (_setup.GetValueOrDefault(rig.Name)?.Succeeded(step) is not { } spell) return;
        logger.LogInformation("refinery {Rig}: {Step} works again", rig.Name, step);
        runtime.Record(SourceOf(rig.Name), EventKinds.Recovered, null,
            $"{DescribeWorking(step)} again, after {spell.Failures} failed attempt{(spell.Failures == 1 ? "" : "s")} since {Timestamps.Format(spell.Since)}");
    }

    private void FinishMerged(Rig rig, IReadOnlyList<(Submission Sub, string Commit)> landed, string why)
    {
        var now = Timestamps.Format(runtime.Workspace.Now);
        // The items first, the queue after: a queue entry is written at once while the ledger is
        // saved when the transaction ends, so one transaction killed in between (kill -9) would
        // leave a submission merged whose item never closes (nothing looks at merged entries
        // again). This way a refinery killed in between finds the entry still merging, its
        // candidate on main, and finishes it (an item already closed is left as it is).
        ledger.Transact("merge", t =>
        {
            foreach (var (s, c) in landed)
            {
                if (t.Items.Ledger.Find(s.Item) is { } item && !item.IsClosed)
                {
                    t.Items.Close(s.Item, $"merged into {rig.DefaultBranch} as {c[..12]}");
                    t.Items.AddComment(s.Item, $"the refinery merged {s.Branch} into {rig.Name}/{rig.DefaultBranch} as {c[..12]} ({why})");
                }
                // Landing ends the hook whatever path led here (orc done, mq retry, a bisect): a
                // polecat's completes; a crew member is free for the next item, its worktree stays.
                if (runtime.Hooks.Find(s.Agent) is { } holder && holder.Item == s.Item && (holder.HoldsWork || holder.State == HookStates.Completed))
                {
                    if (holder.Role == Roles.Crew)
                        t.Touched(runtime.Hooks.Write(holder.Agent, holder.Unhooked(now, $"{s.Item} landed as {c[..12]}")), holder.Agent);
                    else if (holder.HoldsWork)
                        t.Touched(runtime.Hooks.Write(holder.Agent, holder.MoveTo(HookStates.Completed, now, $"{s.Item} landed as {c[..12]}")), holder.Agent);
                }
            }
            return 0;
        });
        ledger.Transact("merged", t =>
        {
            foreach (var (s, c) in landed)
                t.Touched(runtime.Queue(rig.Name).Write(s.Item, s with { State = SubmissionStates.Merged, Landed = c, FinishedAt = now, Reason = null,
                    Details = null }), s.Item);
            return 0;
        });
        foreach (var (s, c) in landed)
        {
            runtime.Record(SourceOf(rig.Name), EventKinds.Merged, s.Item, $"{s.Item} by {s.Agent} landed on {rig.DefaultBranch} as {c[..12]}");
            var body = $"{s.Item} landed on {rig.Name}/{rig.DefaultBranch} as {c[..12]} (one commit, squashed from {s.Branch}; {why}). The item is closed.";
            Tell(rig, s.Agent, $"{s.Item} landed", body, s.Item);
            Tell(rig, Core.Mail.MailRules.Overseer, $"{s.Item} landed on {rig.Name}", body, s.Item);
        }
        // The last item of a convoy may just have closed.
        try { convoys.CheckLanded(); }
        catch (OrcException ex) { logger.LogWarning("refinery {Rig}: convoy check failed: {Message}", rig.Name, ex.Message); }
    }

    /// <summary>Mail from this rig's refinery (to an agent only while it exists); a failure to send never stops the queue.</summary>
    private void Tell(Rig rig, string to, string subject, string body, string? item, bool notify = true)
    {
        var oneAgent = to != Core.Mail.MailRules.Overseer && !to.Contains(',', StringComparison.Ordinal);
        if (oneAgent && runtime.Hooks.Find(to) is not { State: not HookStates.Archived }) return;
        try { mail.Send(SourceOf(rig.Name), to, subject, body, TimeSpan.Zero, item: item, notify: notify); }
        catch (OrcException ex) { logger.LogWarning("refinery {Rig}: mail to {To} failed: {Message}", rig.Name, to, ex.Message); }
    }

    /// <summary>
    /// Sends a submission back: the item returns to its worker if the worker still has its
    /// worktree (hook active again, told by a nudge), else to ready; the reason goes on the item.
    /// </summary>
    /// <param name="expected">When given, the state the submission must still be in under the lock (else nothing changes).</param>
    private void Reject(Rig rig, Submission s, RejectionCause? cause, string reason, string? details, List<RefineryOutcome> outcomes, string? expected = null)
    {
        var now = Timestamps.Format(runtime.Workspace.Now);
        var hook = runtime.Hooks.Find(s.Agent);
        var backToWorker = hook is not null && hook.Item == s.Item && hook.State is HookStates.Completed or HookStates.Active
            && Directory.Exists(hook.Worktree);
        ledger.Transact("reject", t =>
        {
            if (expected is not null && runtime.Queue(rig.Name).Find(s.Item) is var current && current?.State != expected)
                throw new OrcException($"{s.Item} is {current?.State ?? "no longer in the merge queue"} now; nothing was changed");
            t.Touched(runtime.Queue(rig.Name).Write(s.Item, s with { State = SubmissionStates.Rejected, Reason = reason, Details = details, FinishedAt = now,
                Candidate = null, Onto = null, GateVerdict = null, GateTail = null, ReviewSince = null, ApprovedBy = null, ApprovedAt = null }), s.Item);
            if (t.Items.Ledger.Find(s.Item) is { IsClosed: false })
            {
                t.Items.Update(s.Item, backToWorker
                    ? new UpdateItemRequest { Status = Statuses.Hooked, Assignee = s.Agent }
                    : new UpdateItemRequest { Status = Statuses.Open, Assignee = "" });
                var text = $"the refinery returned this {(backToWorker ? "to " + s.Agent : "to ready (its worker is gone)")}: {reason}";
                if (!string.IsNullOrWhiteSpace(details)) text += "\n\n" + Truncate(details, 4000);
                t.Items.AddComment(s.Item, text);
            }
            if (backToWorker && hook!.State == HookStates.Completed)
                t.Touched(runtime.Hooks.Write(hook.Agent, hook.MoveTo(HookStates.Active, now, "returned by the refinery: " + reason)), hook.Agent);
            return 0;
        });
        runtime.Events.Append(new OrcEvent
        {
            At = now, Source = SourceOf(rig.Name), Kind = EventKinds.Rejected, Subject = s.Item, Tag = cause?.Tag(),
            Text = $"{s.Item} returned {(backToWorker ? "to " + s.Agent : "to ready")}: {reason}",
        });
        outcomes.Add(new RefineryOutcome(s.Item, "rejected", null, reason));
        var letter = $"The refinery of {rig.Name} returned {s.Item} ({s.Branch} at {s.Commit[..Math.Min(12, s.Commit.Length)]}): {reason}.\n" +
            (backToWorker ? $"It is yours again: fix it in your worktree, commit, and run `orc done`." : "Its worker is gone; the item is back to ready.") +
            (string.IsNullOrWhiteSpace(details) ? "" : "\n\n" + TerminalText.Block(Truncate(details, 4000)).TrimEnd());
        Tell(rig, backToWorker ? s.Agent : mail.Supervisors(), $"{s.Item} returned: {Clip(reason, 120)}", letter, s.Item, notify: false);
        if (!backToWorker) return;
        try
        {
            agents.Nudge(s.Agent, $"The refinery returned your work on {s.Item}: {reason}. The details are in your mail (`orc mail inbox`) and `orc mq show {s.Item}`; fix it, commit, and run `orc done` again.");
        }
        catch (OrcException ex) { logger.LogInformation("refinery: could not nudge {Agent}: {Message}", s.Agent, ex.Message); }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : "…" + s[^max..];

    private static string Clip(string s, int max)
    {
        var line = TerminalText.Line(s);
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }

    private void Save(Submission s, string verb) =>
        ledger.Transact(verb, t => { t.Touched(runtime.Queue(s.Rig).Write(s.Item, s), s.Item); return 0; });

    // ---- the queue verbs ----

    public List<Submission> List(string? rig) =>
        (rig is null ? runtime.Rigs.All().Select(r => r.Name) : [runtime.Rigs.Get(rig).Name])
            .SelectMany(r => runtime.Queue(r).All())
            .OrderBy(s => s.IsOpen ? 0 : 1).ThenBy(s => s.Priority).ThenBy(s => s.SubmittedAt, StringComparer.Ordinal).ToList();

    public Submission Get(string item)
    {
        foreach (var r in runtime.Rigs.All())
            if (runtime.Queue(r.Name).Find(item) is { } s) return s;
        throw new OrcException($"no submission for '{TerminalText.Line(item)}' in any rig's merge queue (see 'orc mq list')", ExitCodes.NotFound);
    }

    /// <summary>Queues a rejected submission again (e.g. after fixing the gate), with the worker's current branch tip.</summary>
    public Submission Retry(string item)
    {
        var s = Get(item);
        if (s.State != SubmissionStates.Rejected) throw new OrcException($"{item} is {s.State}; only a rejected submission can be retried");
        var git = Integration(runtime.Workspace.Paths.RigDir(s.Rig));
        var tip = git.BranchTip(s.Branch) ?? throw new OrcException($"{item}: its branch {s.Branch} is gone; nothing to retry");
        var next = s with { State = SubmissionStates.Queued, Commit = tip, Reason = null, Details = null, FinishedAt = null,
            SubmittedAt = Timestamps.Format(runtime.Workspace.Now) };
        ledger.Transact("mq retry", t =>
        {
            t.Touched(runtime.Queue(s.Rig).Write(s.Item, next), s.Item);
            if (t.Items.Ledger.Find(s.Item) is { IsClosed: false }) t.Items.Update(s.Item, new UpdateItemRequest { Status = Statuses.InProgress });
            return 0;
        });
        runtime.Record(runtime.Workspace.Actor, EventKinds.Waiting, s.Item, $"{s.Item} queued again by {runtime.Workspace.Actor}");
        return next;
    }

    /// <summary>Takes a queued submission out of the queue by hand, returning the work like a red gate would.</summary>
    public Submission RejectByHand(string item, string reason)
    {
        var s = Get(item);
        if (s.State != SubmissionStates.Queued) throw new OrcException($"{item} is {s.State}; only a queued submission can be rejected");
        if (string.IsNullOrWhiteSpace(reason)) throw new OrcException("mq reject: give a reason with --reason", ExitCodes.Usage);
        var rig = runtime.Rigs.Get(s.Rig);
        using var claim = Claim(rig.Name) ?? throw new OrcException($"the refinery of {rig.Name} is working; stop it or try again", ExitCodes.Busy);
        s = runtime.Queue(s.Rig).Find(s.Item) ?? s; // it may have moved before the claim was ours
        if (s.State != SubmissionStates.Queued) throw new OrcException($"{item} is {s.State} now; only a queued submission can be rejected");
        Reject(rig, s, RejectionCause.Hand, "rejected by " + runtime.Workspace.Actor + ": " + TerminalText.Line(reason), null, []);
        return runtime.Queue(s.Rig).Find(s.Item)!;
    }
}
