using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;

namespace Orchestrator.Services.Runtime;

/// <summary>
/// <c>orc sling</c>: hooks a work item onto a polecat. In one locked change the worktree and branch
/// are made, the hook written and the item marked hooked; then the agent starts in its tmux window.
/// If any step fails, everything made so far is undone: no orphan worktree, window or hook.
/// </summary>
public sealed class SlingService(RuntimeContext runtime, LedgerService ledger, ILogger<SlingService> logger)
{
    public sealed record Request(string ItemId, string? Rig, string? Agent, string? Profile);

    /// <summary>What one sling made, so that its undo removes that and nothing else.</summary>
    private sealed record Made(string Agent, string Worktree, string Branch, bool BranchExisted, bool SideBranchExisted);

    public Hook Sling(Request r) => Sling(r, queue: false, out _)!;

    /// <summary>
    /// Slings the item, or, when its rig has no free polecat slot and <paramref name="queue"/>,
    /// queues it for the deacon (<paramref name="queued"/>; the hook is then null).
    /// </summary>
    public Hook? Sling(Request r, bool queue, out DispatchEntry? queued)
    {
        queued = null;
        DispatchEntry? waiting = null;
        Adapters.Tmux.TmuxServer.CheckVersion();
        var item = ledger.Read().Get(r.ItemId);
        Refuse(item, justNow: false);
        var rig = ResolveRig(r.Rig, item.Id);
        // A molecule's step may name its profile (the label profile:NAME, from its formula).
        var profile = runtime.Profiles.Get(r.Profile ?? Core.Formulas.MoleculeLabels.Value(item,
            Core.Formulas.MoleculeLabels.Profile) ?? rig.Profile ?? runtime.Workspace.Config.DefaultProfile ?? "sim");
        if (!runtime.CanStart(profile))
            throw new OrcException($"agent profile '{profile.Name}': '{TerminalText.Line(profile.Command)}' is not on PATH (install it, or choose another with --profile)");
        var named = r.Agent is null ? null : CrewService.ValidateName(r.Agent, "--agent");

        var paths = runtime.Workspace.Paths;
        var repo = new RigRepository(paths.RigDir(rig.Name));
        var now = Timestamps.Format(runtime.Workspace.Now);
        Made? made = null;
        Hook? hook;
        try
        {
            // Everything that decides who gets what (the item's state, the capacity, the agent's
            // name, its branch and worktree) is decided under the workspace lock, so parallel
            // slings cannot pick the same name or overshoot max_polecats.
            hook = ledger.Transact<Hook?>("sling", t =>
            {
                var current = t.Items.Ledger.Get(item.Id);
                Refuse(current, justNow: true);
                var hooks = runtime.Hooks.All();
                var working = Busy(hooks, rig.Name);
                if (working >= rig.MaxPolecats)
                {
                    if (!queue) throw new AtCapacityException($"rig {rig.Name} already has {working} polecats at work (max_polecats {rig.MaxPolecats})");
                    waiting = runtime.Dispatch.Find(item.Id) ?? new DispatchEntry { Item = item.Id, Rig = rig.Name, Agent = named, Profile = r.Profile,
                        QueuedAt = now, By = runtime.Workspace.Actor };
                    t.Touched(runtime.Dispatch.Write(item.Id, waiting), item.Id);
                    return null;
                }
                var agent = named ?? NamePool.Next(Taken(hooks, rig.Name, repo));
                if (hooks.FirstOrDefault(h => h.Agent == agent) is { } existing && existing.State != HookStates.Archived)
                    throw existing.Role == Roles.Crew
                        ? new OrcException($"{agent} is a crew member of rig {existing.Rig}: give it work with 'orc sling {item.Id} --crew {agent}'",
                            ExitCodes.Usage)
                        : new OrcException($"agent {agent} already has a hook ({existing.State}, {existing.Item}); choose another name");
                var worktree = paths.Worktree(rig.Name, agent);
                var branch = $"polecat/{agent}/{item.Id}";
                // Never take over what is there: it is someone's (a crashed sling's leftovers are for 'orc doctor').
                if (Directory.Exists(worktree)) throw new OrcException($"{worktree} already exists and no hook points at it; remove it (see 'orc doctor') or choose another --agent");
                // The branch of an earlier attempt at this item by this name (its hook archived) is
                // taken up again, with its commits; one a live hook works on is not.
                var branchExisted = repo.BranchExists(branch);
                if (branchExisted && hooks.FirstOrDefault(h => h.Branch == branch && h.State != HookStates.Archived) is { } user)
                    throw new OrcException($"branch {branch} of rig {rig.Name} is {user.Agent}'s ({user.State}); choose another --agent");
                var baseCommit = repo.TipOf(rig.DefaultBranch);
                made = new Made(agent, worktree, branch, branchExisted, repo.BranchExists(agent));
                repo.AddWorktree(agent, branch, baseCommit, worktree);
                if (runtime.Hooks.Find(agent) is { State: HookStates.Archived } old)
                    t.Touched(runtime.HookArchive.Write($"{agent}-{new string(old.CreatedAt.Where(char.IsAsciiDigit).ToArray())}", old), agent);
                var h = new Hook
                {
                    Agent = agent, Rig = rig.Name, Item = item.Id, Branch = branch, Worktree = worktree,
                    BaseCommit = baseCommit, Profile = profile.Name, CreatedAt = now,
                    History = [new HookEvent(now, "", HookStates.Created, $"slung {item.Id}")],
                };
                t.Touched(runtime.Hooks.Write(agent, h), agent);
                t.Items.Update(item.Id, new UpdateItemRequest { Status = Statuses.Hooked, Assignee = agent });
                if (runtime.Dispatch.Find(item.Id) is not null) t.Touched(runtime.Dispatch.Delete(item.Id), item.Id); // it was queued: no longer
                return h;
            }).Value;
        }
        catch
        {
            if (made is { } m) Undo(repo, rig.Name, m, started: false, null, item.Id);
            throw;
        }
        if (hook is null)
        {
            queued = waiting;
            runtime.Record(runtime.Workspace.Actor, Core.Events.EventKinds.Waiting, item.Id,
                $"queued {item.Id} for rig {rig.Name}: no free polecat slot (max_polecats {rig.MaxPolecats}); the deacon slings it when one frees");
            return null;
        }

        try
        {
            Start(hook, profile, rig, firstStart: true);
            var activated = Activate(hook, "started");
            runtime.Record(runtime.Workspace.Actor, Core.Events.EventKinds.Slung, item.Id,
                $"slung {item.Id} to {hook.Agent} on rig {rig.Name} ({profile.Name})");
            return activated;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "sling of {Item} to {Agent} failed while starting; rolling back", item.Id, hook.Agent);
            Undo(repo, rig.Name, made!, started: true, hook, item.Id);
            throw;
        }
    }

    /// <summary>
    /// The polecat slots of a rig in use: a polecat at work holds one, and so does one whose work
    /// is queued or being merged (the refinery answers soon and may give it back); a stopped or
    /// suspended one holds none, and neither does one whose work waits for a person (<c>land:
    /// review</c>: in review, or approved and waiting to land), which can take days. Call it under
    /// the workspace lock when deciding by it.
    /// </summary>
    public int Busy(IEnumerable<Hook> hooks, string rig)
    {
        var inQueue = runtime.Queue(rig).All().Where(s => s.State is SubmissionStates.Queued or SubmissionStates.Merging)
            .Select(s => s.Agent).ToHashSet(StringComparer.Ordinal);
        return hooks.Count(h => h.Rig == rig && h.Role == Roles.Polecat
            && (h.State is HookStates.Created or HookStates.Active || (h.State == HookStates.Completed && inQueue.Contains(h.Agent))));
    }

    /// <summary>Why an item cannot be slung (hooked, closed, an epic), or nothing.</summary>
    private static void Refuse(WorkItem item, bool justNow)
    {
        if (item.Status is Statuses.Hooked)
            throw new OrcException(justNow
                ? $"{item.Id} was just hooked by {TerminalText.Line(item.Assignee ?? "another agent")}"
                : $"{item.Id} is already hooked by {TerminalText.Line(item.Assignee ?? "an agent")}");
        if (item.IsClosed) throw new OrcException($"{item.Id} is {item.Status}; reopen it first");
        if (item.IssueType == IssueTypes.Epic) throw new OrcException($"{item.Id} is an epic; sling its children instead");
    }

    /// <summary>
    /// Names a new polecat may not take: every hook's (archived too), and any name something of a
    /// rig is already under (a worktree folder, a branch named after it or under polecat/NAME/, a
    /// tmux window), so a leftover of a failed sling never makes every later sling fail.
    /// </summary>
    private HashSet<string> Taken(List<Hook> hooks, string rigName, RigRepository repo)
    {
        var taken = hooks.Select(h => h.Agent).ToHashSet(StringComparer.Ordinal);
        var folder = Path.Combine(runtime.Workspace.Paths.Root, "worktrees", rigName);
        if (Directory.Exists(folder)) foreach (var d in Directory.EnumerateFileSystemEntries(folder)) taken.Add(Path.GetFileName(d));
        foreach (var b in repo.BranchNames())
        {
            taken.Add(b);
            if (b.StartsWith("polecat/", StringComparison.Ordinal) && b.Split('/') is { Length: >= 2 } parts) taken.Add(parts[1]);
        }
        foreach (var w in runtime.Tmux.ListWindows().Where(w => w.Session == rigName)) taken.Add(w.Window);
        return taken;
    }

    private Rig ResolveRig(string? name, string itemId)
    {
        if (name is not null) return runtime.Rigs.Get(name);
        var rigs = runtime.Rigs.All();
        var byPrefix = rigs.FirstOrDefault(x => itemId.StartsWith(x.Prefix + "-", StringComparison.Ordinal));
        if (byPrefix is not null) return byPrefix;
        if (rigs.Count == 1) return rigs[0];
        if (rigs.Count == 0) throw new OrcException("this workspace has no rigs; add one with 'orc rig add NAME SOURCE'");
        throw new OrcException($"which rig? {itemId} does not name one; use --rig ({string.Join(", ", rigs.Select(x => x.Name))})", ExitCodes.Usage);
    }

    /// <summary>The hook made active (after its agent started).</summary>
    private Hook Activate(Hook hook, string why) =>
        ledger.Transact("hook", t =>
        {
            var current = runtime.Hooks.Find(hook.Agent) ?? hook;
            var next = current.MoveTo(HookStates.Active, Timestamps.Format(runtime.Workspace.Now), why);
            t.Touched(runtime.Hooks.Write(hook.Agent, next), hook.Agent);
            return next;
        }).Value;

    /// <summary>Starts (or restarts) the agent of a hook in its tmux window.</summary>
    /// <param name="prompt">The first prompt, when not the usual one (a fresh session after a handoff).</param>
    /// <param name="replaceRunning">Replace a live window's process (a handoff restarts a running agent).</param>
    public void Start(Hook hook, AgentProfile profile, Rig rig, bool firstStart, string? prompt = null, bool replaceRunning = false) =>
        Start(hook, profile, rig.Name, firstStart, prompt, replaceRunning);

    /// <summary>
    /// Starts (or restarts) the agent of a hook in its tmux window: session <see cref="Hook.Rig"/>,
    /// window <see cref="Hook.Agent"/>, in its worktree. <paramref name="rigName"/> is null for an
    /// agent of the whole workspace (the mayor), which gets no ORC_RIG.
    /// </summary>
    public void Start(Hook hook, AgentProfile profile, string? rigName, bool firstStart, string? prompt = null, bool replaceRunning = false)
    {
        prompt ??= FirstPrompt(hook, firstStart);
        var argv = runtime.CommandLine(profile);
        if (profile.Prompt == PromptModes.Arg) argv.Add(prompt);
        var env = new Dictionary<string, string>(profile.Env)
        {
            ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root,
            ["ORC_AGENT"] = hook.Agent,
            ["ORC_ROLE"] = hook.Role,
            ["ORC_ITEM"] = hook.Item ?? "",
        };
        if (rigName is not null) env["ORC_RIG"] = rigName;
        // Its commits say which agent made them, and a machine with no git identity set does not stop it ("Author identity unknown").
        // (A profile's env may set these itself.)
        env.TryAdd("GIT_AUTHOR_NAME", hook.Agent);
        env.TryAdd("GIT_AUTHOR_EMAIL", $"{hook.Agent}@orc.local");
        env.TryAdd("GIT_COMMITTER_NAME", hook.Agent);
        env.TryAdd("GIT_COMMITTER_EMAIL", $"{hook.Agent}@orc.local");
        if (runtime.Workspace.Environment(RuntimeContext.SocketVariable) is { Length: > 0 } socket) env[RuntimeContext.SocketVariable] = socket;
        runtime.Tmux.StartWindow(hook.Rig, hook.Agent, hook.Worktree, env, argv, replaceRunning);
        if (profile.Screens.Count > 0 || profile.Prompt == PromptModes.Keys) AnswerStart(hook, profile, prompt);
    }

    /// <summary>
    /// Gets the agent past its first-run screens (each answered with its own keys, as often as it
    /// shows, at most <see cref="MaxScreenAnswers"/> times in all) and types the first prompt
    /// once the agent waits at its prompt. A screen that does not go away, or a start that shows
    /// nothing known in time, is left for the witness and the overseer (the agent shows as waiting).
    /// </summary>
    private void AnswerStart(Hook hook, AgentProfile profile, string prompt)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var answered = 0;
        DateTime? idleSince = null;
        ProfileScreen? seenScreen = null;
        while (DateTime.UtcNow < deadline)
        {
            string screen;
            try { screen = runtime.Tmux.CapturePane(hook.Rig, hook.Agent, AgentProfile.ScreenLines); }
            catch (OrcException) { return; } // the window went away: the agent ended (the witness sees it dead)
            if (profile.ScreenOn(screen) is { } first)
            {
                // Answer a screen only once it was seen twice in a row: a CLI draws a screen a moment
                // before it reads keys, and a lost Down before Enter would choose "No, exit".
                if (!ReferenceEquals(first, seenScreen)) { seenScreen = first; Thread.Sleep(400); continue; }
                seenScreen = null;
                if (++answered > MaxScreenAnswers)
                {
                    logger.LogWarning("agent {Agent}: its '{Screen}' screen is still there after {Count} answers; left for a person", hook.Agent, first.Name,
                        MaxScreenAnswers);
                    runtime.Record(hook.Agent, Core.Events.EventKinds.Flagged, hook.Item ?? hook.Agent,
                        $"{hook.Agent} is held at its first-run screen '{first.Name}': see 'orc peek {hook.Agent}'");
                    return;
                }
                foreach (var key in first.Keys) { runtime.Tmux.SendKeys(hook.Rig, hook.Agent, [key]); Thread.Sleep(150); } // one at a time, as typed
                runtime.Record(hook.Agent, Core.Events.EventKinds.Nudged, hook.Item ?? hook.Agent,
                    $"{hook.Agent}: answered its first-run screen '{first.Name}' ({string.Join(" ", first.Keys)})");
                Thread.Sleep(700);
                continue;
            }
            seenScreen = null;
            var state = profile.Classify(screen);
            // Some CLIs draw their prompt before a first-run screen comes up (Codex shows its
            // composer, then asks to trust the folder). Given its prompt as an argument, an agent
            // is past its screens once it works on it; typed, once its prompt has stayed a moment.
            if (state == AgentStates.Working && profile.Prompt != PromptModes.Keys) return;
            // (or it already answered: back at its prompt with the first prompt on its screen)
            if (state == AgentStates.Idle && profile.Prompt == PromptModes.Arg && screen.Contains(prompt[..Math.Min(40, prompt.Length)],
                StringComparison.Ordinal)) return;
            if (state == AgentStates.Idle && profile.Prompt != PromptModes.Arg)
            {
                idleSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - idleSince >= (profile.Screens.Count == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(1.5)))
                {
                    if (profile.Prompt == PromptModes.Keys) runtime.Tmux.SendText(hook.Rig, hook.Agent, prompt);
                    return;
                }
            }
            else idleSince = null;
            Thread.Sleep(200);
        }
        logger.LogWarning("agent {Agent} was not seen at work on its first prompt within 30s", hook.Agent);
    }

    /// <summary>First-run screens answered per start at most (a screen that keeps coming back needs a person).</summary>
    private const int MaxScreenAnswers = 6;

    public static string FirstPrompt(Hook hook, bool firstStart) =>
        hook.Role == Roles.Mayor
            ? "You are the mayor of this orc workspace: the user tells you what to build, and you plan it into work items and convoys and launch them. "
              + "Run `orc prime` now: it prints how, with the exact commands, and your mail. Then ask the user what to build."
        : hook.Role == Roles.Reviewer
            ? $"You are {hook.Agent}, the reviewer of {hook.Item} on rig {hook.Rig}: read its candidate, comment, and give your verdict; a person decides. "
              + "Run `orc prime` now: it prints the candidate, what to look for and how to report. Change and commit nothing."
        : hook.Item is null
            ? $"You are {hook.Agent}, a crew member on rig {hook.Rig}, in your own worktree. Run `orc prime` now: it prints your role and your mail. "
              + "Then wait for the user's instructions; work given to you with `orc sling` arrives with its own prompt."
        : (firstStart ? $"You are {hook.Agent}, a {(hook.Role == Roles.Crew ? "crew member" : hook.Role)} on rig {hook.Rig}, working on {hook.Item}. "
                      : $"You are {hook.Agent}, restarted after an interruption; your work on {hook.Item} is intact in this worktree. ")
          + "Run `orc prime` now: it prints your work item and how to submit it. Work only in this directory, commit your changes, then run `orc done`.";

    /// <summary>
    /// Removes what this sling made and nothing else: its window (only once it started one), its
    /// worktree and branch (which did not exist before it), the side branch LibGit2Sharp's worktree
    /// add leaves under the agent's name, and its hook and the item's claim, only while they are
    /// still this sling's.
    /// </summary>
    private void Undo(RigRepository repo, string rigName, Made made, bool started, Hook? hook, string itemId)
    {
        if (started) { try { runtime.Tmux.KillWindow(rigName, made.Agent); } catch (OrcException) { } }
        try
        {
            repo.RemoveWorktree(made.Agent, made.Worktree, made.BranchExisted ? null : made.Branch);
            if (!made.SideBranchExisted) repo.DeleteBranch(made.Agent);
        }
        catch (Exception e) when (e is OrcException or IOException or LibGit2Sharp.LibGit2SharpException) { logger.LogWarning(e, "undo: worktree"); }
        if (hook is null) return;
        ledger.Transact("sling undo", t =>
        {
            if (runtime.Hooks.Find(made.Agent) is { } h && h.CreatedAt == hook.CreatedAt && h.Item == itemId) t.Touched(runtime.Hooks.Delete(made.Agent),
                made.Agent);
            var item = t.Items.Ledger.Find(itemId);
            if (item is { Status: Statuses.Hooked } && item.Assignee == made.Agent)
                t.Items.Update(itemId, new UpdateItemRequest { Status = Statuses.Open, Assignee = "" });
            return 0;
        });
    }
}
