using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Core;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;

namespace Orchestrator.Services.Refinery;

/// <summary>
/// Pull-request mode (<c>land: pr</c>): a green candidate is pushed to origin as its own branch
/// (<c>orc/ITEM-ATTEMPT</c>, a new name per attempt, so no push ever needs force) and a pull
/// request is opened with the forge's CLI; main is left to the forge. Each pass (at most once a
/// minute per rig) asks the forge about the open ones: merged closes the item, closed unmerged
/// returns the work to its worker, open waits.
/// </summary>
public sealed partial class RefineryService
{
    /// <summary>How a reason for returning work whose pull request was closed starts (the feed tags it <c>pr</c>).</summary>
    private const string PullRequestClosed = "its pull request was closed without merging";

    private static readonly TimeSpan FollowEvery = TimeSpan.FromMinutes(1);

    /// <summary>Per rig: when the open pull requests were last asked about (this object's life: the refinery loop).</summary>
    private readonly Dictionary<string, DateTimeOffset> _followedAt = new(StringComparer.Ordinal);

    /// <summary>Per rig and step: the forge trouble already reported (one report per spell, one "works again" at its end).</summary>
    private readonly Dictionary<(string Rig, string Step), string> _forgeTrouble = [];

    /// <summary>The CLI the rig's pull requests go through, found on the workspace's PATH; throws saying what is missing.</summary>
    private ForgeCli Forge(Rig rig) => ForgeCli.Locate(runtime.Workspace.Paths.RigDir(rig.Name), runtime.Workspace.Environment("PATH"));

    /// <summary>
    /// Before the queue: follows the rig's open pull requests (at most once a minute). False when the
    /// rig opens pull requests but cannot (no origin, no CLI): the queue stops there, reported once,
    /// and nothing is gated or lost; it never falls back to landing by itself.
    /// </summary>
    private bool FollowPullRequests(Rig rig, IRigIntegration git, List<RefineryOutcome> outcomes)
    {
        var open = runtime.Queue(rig.Name).All().Where(s => s.State == SubmissionStates.PullRequest).OrderBy(s => s.ReviewSince ?? s.SubmittedAt,
            StringComparer.Ordinal).ToList();
        if (!rig.OpensPullRequests && open.Count == 0) return true;
        ForgeCli forge;
        try { forge = Forge(rig); }
        catch (OrcException e)
        {
            ForgeFailed(rig, "setup", e.Message,
                rig.OpensPullRequests
                    ? "the merge queue is stopped until it is fixed (nothing is lost: queued work waits)"
                    : "its open pull requests are not followed until it is fixed");
            if (!rig.OpensPullRequests) return true;
            foreach (var s in runtime.Queue(rig.Name).All().Where(s => s.State == SubmissionStates.Queued))
                outcomes.Add(new RefineryOutcome(s.Item, "waiting", null, "land: pr, but " + e.Message));
            return false;
        }
        ForgeWorks(rig, "setup");
        var now = runtime.Workspace.Now;
        if (open.Count == 0 || (_followedAt.TryGetValue(rig.Name, out var last) && now - last < FollowEvery && now >= last)) return true;
        _followedAt[rig.Name] = now;
        var dir = runtime.Workspace.Paths.RigDir(rig.Name);
        var merged = false;
        foreach (var s in open)
        {
            if (s.PullRequest is not { } url) continue;
            PullRequestStatus status;
            try { status = forge.View(dir, url, s.PullRequestBranch); }
            catch (OrcException e)
            {
                ForgeFailed(rig, "view", e.Message, "its open pull requests stay as they are and are asked about again");
                return true; // one failure is enough for this pass; the submissions are untouched
            }
            ForgeWorks(rig, "view");
            switch (status.State)
            {
                case PullRequestState.Merged:
                    var landed = status.MergeCommit ?? s.Candidate ?? s.Commit;
                    FinishMerged(rig, [(s, landed)], $"its {forge.Noun} {ForgeCli.Display(url)} was merged");
                    outcomes.Add(new RefineryOutcome(s.Item, SubmissionStates.Merged, landed, ForgeCli.Display(url)));
                    merged = true;
                    break;
                case PullRequestState.Closed:
                    try { Reject(rig, s, RejectionCause.PullRequest, $"{PullRequestClosed} ({ForgeCli.Display(url)})", null, outcomes, expected: SubmissionStates.PullRequest); }
                    catch (OrcException e) { logger.LogInformation("refinery {Rig}: {Item} changed meanwhile: {Message}", rig.Name, s.Item, e.Message); }
                    break;
            }
        }
        if (merged) FollowOrigin(rig, git);
        return true;
    }

    /// <summary>
    /// After a merge on the forge, the rig's main is brought to origin's (a fast-forward only; a
    /// checkout with changes, or a main with commits origin lacks, is left as it is and said so), so
    /// the next candidates are built on what was merged.
    /// </summary>
    private void FollowOrigin(Rig rig, IRigIntegration git)
    {
        try
        {
            var tip = new RigRemote(git.Path).Fetch(rig.DefaultBranch);
            var local = git.TipOf(rig.DefaultBranch);
            if (tip is null || tip == local || git.Contains(rig.DefaultBranch, tip)) return;
            git.FastForward(rig.DefaultBranch, local, tip, "follow origin after a merged pull request");
            runtime.Record(SourceOf(rig.Name), EventKinds.PullRequest, null, $"{rig.DefaultBranch} follows {RigRemote.Origin}: {local[..12]} → {tip[..12]}");
        }
        catch (OrcException e)
        {
            logger.LogWarning("refinery {Rig}: cannot bring {Branch} to origin's: {Message}", rig.Name, rig.DefaultBranch, e.Message);
            runtime.Record(SourceOf(rig.Name), EventKinds.Error, null,
                $"cannot bring {rig.DefaultBranch} to {RigRemote.Origin}'s after a merged pull request: {e.Message}");
        }
    }

    /// <summary>
    /// A green stack on a rig with <c>land: pr</c>: each submission gets its own branch on origin and
    /// pull request, built on main (the first is; the others are squashed onto main again, alone).
    /// False when something stopped it: what was not opened is queued again, and the trouble reported.
    /// </summary>
    private bool OpenPullRequests(Rig rig, IRigIntegration git, string main, List<(Submission Sub, string Commit)> stack, string tail,
        List<RefineryOutcome> outcomes)
    {
        void Requeue(IEnumerable<(Submission Sub, string Commit)> rest)
        {
            foreach (var (s, _) in rest) Save(s with { State = SubmissionStates.Queued, Candidate = null, Onto = null }, "requeue");
        }
        ForgeCli forge;
        try { forge = Forge(rig); }
        catch (OrcException e)
        {
            Requeue(stack);
            ForgeFailed(rig, "setup", e.Message, "the merge queue is stopped until it is fixed (nothing is lost: queued work waits)");
            return false;
        }
        var dir = runtime.Workspace.Paths.RigDir(rig.Name);
        var remote = new RigRemote(dir);
        var items = ledger.ReadSummary();
        var verdict = rig.GateArgv.Count == 0 ? "no gate" : "green";
        for (var i = 0; i < stack.Count; i++)
        {
            var (s, candidate) = stack[i];
            var title = items.Find(s.Item)?.Title ?? s.Item;
            if (i > 0)
            {
                // Stacked on the submissions before it for the gate; its pull request carries it alone.
                var alone = git.Squash(main, s.Commit, RigIntegration.LandingMessage(s.Item, title, s.Agent, s.Commits), runtime.Workspace.Now);
                if (!alone.Ok || alone.MarkerFiles.Count > 0)
                {
                    Requeue([stack[i]]); // rebuilt on main in a round of its own, where a conflict returns it as usual
                    continue;
                }
                candidate = alone.Commit!;
            }
            var branch = $"orc/{s.Item}-{Math.Max(1, s.Attempts)}";
            // Recorded before anything leaves the machine: a refinery stopped after opening the pull
            // request but before recording it finds it again by this branch instead of opening another.
            s = s with { PullRequestBranch = branch, Candidate = candidate, Onto = main };
            Save(s, "refinery merging");
            string url;
            try
            {
                var pushed = remote.Push(candidate, branch);
                if (pushed.Result != PushResult.Pushed) throw new OrcException($"cannot push {branch} to {RigRemote.Origin}: {pushed.Message}");
                ForgeWorks(rig, "push");
                url = forge.Create(dir, rig.DefaultBranch, branch, PullRequestTitle(s.Item, title), PullRequestBody(rig, s, candidate, main, verdict));
                ForgeWorks(rig, "create");
            }
            catch (OrcException e)
            {
                Requeue(stack.Skip(i));
                ForgeFailed(rig, e.Message.StartsWith("cannot push", StringComparison.Ordinal) ? "push" : "create", e.Message,
                    "nothing was lost: the work is queued again and retried on a later pass");
                return false;
            }
            Opened(rig, s, candidate, main, branch, url, verdict, tail, forge, title, outcomes);
        }
        return true;
    }

    /// <summary>
    /// Recovery of a submission a stopped refinery left merging on a rig with <c>land: pr</c>: when
    /// it had started opening a pull request (its branch is recorded) and the forge has one from
    /// that branch, it is recorded as open. True when it was; false to queue it again as usual.
    /// </summary>
    private bool RecoverPullRequest(Rig rig, Submission s, List<RefineryOutcome> outcomes)
    {
        if (!rig.OpensPullRequests || s.PullRequestBranch is not { } branch || s.Candidate is not { } candidate || s.Onto is not { } onto) return false;
        string? url;
        ForgeCli forge;
        try
        {
            forge = Forge(rig);
            url = forge.OpenedFrom(runtime.Workspace.Paths.RigDir(rig.Name), branch);
        }
        catch (OrcException e)
        {
            // Cannot tell: queued again, as before (at worst a second pull request is opened).
            logger.LogWarning("refinery {Rig}: cannot ask the forge about {Branch}: {Message}", rig.Name, branch, e.Message);
            return false;
        }
        if (url is null || !ForgeCli.IsUrl(url)) return false;
        var title = ledger.ReadSummary().Find(s.Item)?.Title ?? s.Item;
        Opened(rig, s, candidate, onto, branch, url, rig.GateArgv.Count == 0 ? "no gate" : "green", "", forge, title, outcomes);
        runtime.Record(SourceOf(rig.Name), EventKinds.Recovered, s.Item,
            $"{s.Item}: its {forge.Noun} {ForgeCli.Display(url)} was opened before the refinery stopped; recorded, none opened again");
        return true;
    }

    /// <summary>The pull request is open: recorded on the submission and the item, in the feed, and by mail to the overseer.</summary>
    private void Opened(Rig rig, Submission s, string candidate, string main, string branch, string url, string verdict, string tail, ForgeCli forge,
        string title, List<RefineryOutcome> outcomes)
    {
        var now = Timestamps.Format(runtime.Workspace.Now);
        var shown = ForgeCli.Display(url);
        ledger.Transact("pull request", t =>
        {
            t.Touched(runtime.Queue(rig.Name).Write(s.Item, s with
            {
                State = SubmissionStates.PullRequest, Candidate = candidate, Onto = main, GateVerdict = verdict,
                GateTail = tail.Length == 0 ? null : Truncate(tail, 4000), PullRequest = url, PullRequestBranch = branch, ReviewSince = now,
            }), s.Item);
            if (t.Items.Ledger.Find(s.Item) is { IsClosed: false } item)
            {
                // The item's external reference is the pull request, unless it has one of its own (e.g. a molecule's).
                if (string.IsNullOrEmpty(item.ExternalRef) && url.Length <= ItemLimits.NameLength)
                    t.Items.Update(s.Item, new UpdateItemRequest { ExternalRef = url });
                t.Items.AddComment(s.Item, $"the refinery of {rig.Name} pushed {candidate[..12]} as {branch} to {RigRemote.Origin} and opened {forge.Noun} {shown}; it closes when that is merged");
            }
            return 0;
        });
        runtime.Record(SourceOf(rig.Name), EventKinds.PullRequest, s.Item, $"{s.Item} by {s.Agent} is {verdict} as {candidate[..12]}: {forge.Noun} {shown}");
        var body = $"{s.Item} ({Clip(title, 100)}) by {s.Agent} is {verdict} as {candidate[..12]} on {rig.Name}/{rig.DefaultBranch}: it is pushed to {RigRemote.Origin} as {branch}, and {forge.Noun} {shown} is open.\n" +
            $"When it is merged, {s.Item} closes; when it is closed without merging, the work goes back to {s.Agent}.";
        Tell(rig, Core.Mail.MailRules.Overseer, $"{s.Item}: {forge.Noun} opened", body, s.Item);
        outcomes.Add(new RefineryOutcome(s.Item, SubmissionStates.PullRequest, candidate, shown));
    }

    /// <summary>The pull request's title: the landing commit's subject (the item id first, so it never reads as an option).</summary>
    private static string PullRequestTitle(string item, string title) => $"{item}: {TerminalText.Line(title)}";

    private string PullRequestBody(Rig rig, Submission s, string candidate, string main, string verdict)
    {
        var gate = rig.GateArgv.Count == 0 ? "The rig has no gate." : $"The gate (`{TerminalText.Line(rig.Gate)}`) was {verdict}.";
        return $"{s.Item}, by {s.Agent}: {s.Commits.Count} commit{(s.Commits.Count == 1 ? "" : "s")} on {TerminalText.Line(s.Branch)}, squashed into one commit ({candidate[..12]}) on {rig.DefaultBranch} at {main[..12]}. {gate}\n\n" +
            $"Opened by the refinery of {rig.Name} (orc). Merging it closes {s.Item}; closing it unmerged sends the work back to {s.Agent}.\n";
    }

    /// <summary>Forge trouble: one event and one mail to the overseer when a spell starts (or its message changes), a log line after.</summary>
    private void ForgeFailed(Rig rig, string step, string message, string consequence)
    {
        var key = (rig.Name, step);
        if (_forgeTrouble.TryGetValue(key, out var known) && known == message)
        {
            logger.LogInformation("refinery {Rig}: pull requests ({Step}) still failing: {Message}", rig.Name, step, message);
            return;
        }
        _forgeTrouble[key] = message;
        logger.LogWarning("refinery {Rig}: pull requests ({Step}): {Message}", rig.Name, step, message);
        var text = $"land: pr: {message}; {consequence}";
        runtime.Record(SourceOf(rig.Name), EventKinds.Error, null, text);
        try { mail.Send(SourceOf(rig.Name), Core.Mail.MailRules.Overseer, $"{rig.Name}: pull requests cannot be {(step == "view" ? "followed" : "opened")}",
            text, TimeSpan.Zero); }
        catch (OrcException ex) { logger.LogWarning("refinery {Rig}: mail to the overseer failed: {Message}", rig.Name, ex.Message); }
    }

    /// <summary>A forge step worked: if it was failing, its spell ends with one event.</summary>
    private void ForgeWorks(Rig rig, string step)
    {
        if (!_forgeTrouble.Remove((rig.Name, step))) return;
        logger.LogInformation("refinery {Rig}: pull requests ({Step}) work again", rig.Name, step);
        runtime.Record(SourceOf(rig.Name), EventKinds.Recovered, null, $"land: pr: {(step == "view" ? "following" : "opening")} pull requests works again");
    }
}
