using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Mail;
using Orchestrator.Core.Supervision;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Witness;

/// <summary>What the witness saw of one agent in a pass, and what it did.</summary>
public sealed record Observation(string Agent, string State, string? Action);

/// <summary>
/// The witness of one rig: looks at each of the rig's agents on every pass and classifies it
/// (working, idle with or without its hook, waiting for an answer, stuck, looping, dead), then
/// acts as the rig's settings allow: nudges an idle agent that holds work, restarts a dead one
/// from its hook (up to max_restarts, then gives up and tells the overseer), and reports waiting,
/// stuck and looping agents once each time they enter that state. It never kills an agent and
/// never touches another rig's agents or another workspace's tmux server.
/// </summary>
public sealed class WitnessService(RuntimeContext runtime, AgentService agents, LedgerService ledger, Mail.MailService mail, ILogger<WitnessService> logger)
{
    private sealed class Seen
    {
        public DateTimeOffset NudgedAt = DateTimeOffset.MinValue;
    }

    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);

    public static string SourceOf(string rig) => "witness@" + rig;

    /// <summary>Seconds between two nudges of the same idle agent.</summary>
    public TimeSpan NudgeCooldown { get; init; } = TimeSpan.FromMinutes(5);

    public List<Observation> Pass(string rigName)
    {
        var rig = runtime.Rigs.Get(rigName);
        var now = runtime.Workspace.Now;
        var source = SourceOf(rig.Name);
        var windows = TmuxServer.ByTarget(runtime.Tmux.ListWindows().Where(w => w.Session == rig.Name));
        var seen = new List<Observation>();
        var items = ledger.Read();
        // Reviewers are not restarted or nudged: the deacon's review step stops them when done or dead (Refinery.ReviewerService).
        foreach (var h in runtime.Hooks.All().Where(h => h.Rig == rig.Name && h.State != HookStates.Archived && h.Role != Roles.Reviewer))
        {
            windows.TryGetValue((rig.Name, h.Agent), out var w);
            // Finished work stays finished: a hook whose item was closed (by hand, by a landing the
            // hook missed) or given to someone else is ended here, never restarted or nudged.
            if (h.State is HookStates.Active or HookStates.Created && HookRules.WhyNotRestart(h, items.Find(h.Item ?? "")) is { } notHis)
            {
                seen.Add(Retire(h, notHis, items.Find(h.Item ?? "") is { IsClosed: true }, source));
                continue;
            }
            var sinceStart = now - Parse(h.UpdatedAt ?? h.CreatedAt, now);
            if (h.State == HookStates.Active && w is null or { PaneDead: true })
            {
                seen.Add(Dead(rig, h, w, sinceStart, source));
                continue;
            }
            if (w is null || w.PaneDead) { seen.Add(new Observation(h.Agent, h.State == HookStates.Completed ? AgentStates.Done : AgentStates.Stopped,
                null)); continue; }

            string screen;
            try { screen = runtime.Tmux.CapturePane(rig.Name, h.Agent, AgentProfile.ScreenLines); }
            catch (OrcException) { continue; } // it went away between the listing and now
            if (!_seen.TryGetValue(h.Agent, out var s)) _seen[h.Agent] = s = new Seen();
            var (profileState, steady) = Read(h.Profile, screen);
            // The clock orc agents and the TUI read too: the steady screen (spinners removed), so a hung model is seen.
            var unchanged = runtime.Screens.UnchangedFor(h.Agent, steady, now, w.ActivityUnix);
            var state = Watch.Classify(profileState, h.HoldsWork, unchanged, TimeSpan.FromSeconds(rig.StuckAfterSeconds),
                Watch.RepeatingBlock(screen) is not null, sinceStart, TimeSpan.FromSeconds(rig.GraceSeconds));
            string? action = null;
            if (state == WatchStates.IdleWithHook && h.State == HookStates.Active && rig.NudgeIdle && now - s.NudgedAt >= NudgeCooldown)
            {
                s.NudgedAt = now;
                try
                {
                    agents.Nudge(h.Agent, $"You still hold {h.Item}. Carry on with it (run `orc prime` to see it again); commit and run `orc done` when it is finished, or say what blocks you.");
                    action = "nudged";
                    runtime.Record(source, EventKinds.Nudged, h.Agent, $"{h.Agent} was idle at its prompt while holding {h.Item}; nudged it to continue");
                }
                catch (OrcException ex) { logger.LogInformation("witness: nudge of {Agent} failed: {Message}", h.Agent, ex.Message); }
            }
            action = ReportOnce(h, state, unchanged, now, source, $"on rig {rig.Name}", mail.Supervisors()) ?? action;
            seen.Add(new Observation(h.Agent, state, action));
        }
        // Mail that came while an agent was busy: tell it now that it is idle.
        foreach (var agent in mail.DeliverPending(rig.Name)) seen.Add(new Observation(agent, AgentStates.Idle, "told about mail"));
        return seen;
    }

    /// <summary>
    /// Reports an agent that waits, fails, is stuck or loops, once per episode (feed, a tmux
    /// notification, mail to <paramref name="to"/>); forgets the episode once it shows otherwise.
    /// Returns "flagged" when it reported.
    /// </summary>
    private string? ReportOnce(Hook h, string state, TimeSpan unchanged, DateTimeOffset now, string source, string where, string to)
    {
        if (state is not (AgentStates.Waiting or AgentStates.Error or WatchStates.Stuck or WatchStates.Looping)) { Flag(h.Agent, null); return null; }
        if (FlaggedAs(h.Agent) == state) return null;
        Flag(h.Agent, state);
        var why = state switch
        {
            AgentStates.Waiting => "is waiting for an answer",
            AgentStates.Error => "shows a model error (rate limit, overload or a failing API); its CLI may be retrying",
            WatchStates.Stuck => $"has shown no change for {unchanged.TotalSeconds:0}s while working",
            _ => "repeats the same output (retrying the same thing)",
        };
        var what = h.Item is { } item ? $"{h.Agent} ({item})" : h.Agent;
        runtime.Record(source, EventKinds.Flagged, h.Agent, $"{what} {why}: see 'orc peek {h.Agent}'");
        new Runtime.Notifier(runtime).Raise(state == AgentStates.Waiting ? Runtime.Notifier.Waiting : Runtime.Notifier.Stuck,
            $"{h.Agent}\n{state}\n{now - unchanged:O}", $"{h.Agent} {why}");
        TellOverseer(source, $"{h.Agent} {why}", $"{h.Agent}{(where.Length > 0 ? " " + where : "")}{(h.Item is { } i ? $" ({i})" : "")} {why}.\nLook: orc peek {h.Agent}\nGo there: orc attach {h.Agent}" +
            (state == AgentStates.Waiting
                ? "\nAnswer it there, or: orc nudge " + h.Agent + " \"...\""
                : "\nIf it is retrying the same thing, tell it what to do differently (orc nudge), or stop it (orc kill)."), h.Item, to);
        return "flagged";
    }

    /// <summary>How many times the mayor may be started again within <see cref="MayorRestartWindow"/> before the overseer is asked to look.</summary>
    public const int MayorRestarts = 3;

    public static readonly TimeSpan MayorRestartWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// The workspace's own agent, the mayor (window orc:mayor), watched as a rig's agents are (the
    /// deacon calls this every pass, with the workspace's <c>mayor.stuck_after</c> and
    /// <c>mayor.grace</c>): waiting, a model error, stuck and looping are reported once per episode to the overseer; a mayor whose
    /// program ended is started again fresh, with its hook, mail and history (at most
    /// <see cref="MayorRestarts"/> times an hour, then the overseer is told and it is left stopped);
    /// a mayor a person stopped (no window) is left alone. Null when the workspace has no mayor.
    /// </summary>
    public Observation? PassMayor(MayorService mayor)
    {
        if (mayor.Find() is not { } h) return null;
        const string source = "deacon";
        var now = runtime.Workspace.Now;
        var config = runtime.Workspace.Config; // mayor.stuck_after, mayor.grace
        var (stuckAfter, grace) = (TimeSpan.FromSeconds(config.MayorStuckAfterSeconds), TimeSpan.FromSeconds(config.MayorGraceSeconds));
        var w = runtime.Tmux.FindWindow(MayorService.Session, h.Agent);
        if (w is null) { Flag(h.Agent, null); return new Observation(h.Agent, AgentStates.Stopped, null); }
        var sinceStart = now - Parse(h.UpdatedAt ?? h.CreatedAt, now);
        if (w.PaneDead)
        {
            if (sinceStart < grace) return new Observation(h.Agent, WatchStates.Starting, null);
            var exit = w.ExitStatus is { } code ? (code == 0 ? " (status 0)" : $" ({ServiceHealth.ExitText(code)})") : "";
            var recent = h.History.Count(e => e.Why == HookReasons.Restarted && Parse(e.At, DateTimeOffset.MinValue) > now - MayorRestartWindow);
            if (recent >= MayorRestarts)
            {
                if (FlaggedAs(h.Agent) == AgentStates.Dead) return new Observation(h.Agent, AgentStates.Dead, null);
                Flag(h.Agent, AgentStates.Dead);
                runtime.Record(source, EventKinds.GaveUp, h.Agent,
                    $"the mayor ended{exit} {recent + 1} times within an hour; left it stopped, the overseer should look");
                TellOverseer(source, "gave up restarting the mayor",
                    $"The mayor's program ended{exit} {recent + 1} times within an hour; it is left stopped.\n" +
                    "Look: orc peek mayor\nThen: orc mayor restart (or orc mayor start --profile NAME)", null, MailRules.Overseer);
                return new Observation(h.Agent, AgentStates.Dead, "gave up");
            }
            try
            {
                mayor.Restart(null, null, HookReasons.Restarted);
                Flag(h.Agent, null);
                runtime.Record(source, EventKinds.Restarted, h.Agent, $"the mayor's program ended{exit}; started it again (its mail and history are kept)");
                return new Observation(h.Agent, AgentStates.Dead, "restarted");
            }
            catch (OrcException ex)
            {
                logger.LogWarning("deacon: the mayor could not be restarted: {Message}", ex.Message);
                return new Observation(h.Agent, AgentStates.Dead, "restart failed: " + ex.Message);
            }
        }
        string screen;
        try { screen = runtime.Tmux.CapturePane(MayorService.Session, h.Agent, AgentProfile.ScreenLines); }
        catch (OrcException) { return null; } // it went away between the look and now
        var (profileState, steady) = Read(h.Profile, screen);
        var unchanged = runtime.Screens.UnchangedFor(h.Agent, steady, now, w.ActivityUnix);
        var state = Watch.Classify(profileState, false, unchanged, stuckAfter, Watch.RepeatingBlock(screen) is not null, sinceStart, grace);
        return new Observation(h.Agent, state, ReportOnce(h, state, unchanged, now, source, "", MailRules.Overseer));
    }

    /// <summary>
    /// What the agent was last reported as (waiting, error, stuck, looping), kept in
    /// <c>.orc/run/flagged/AGENT</c> so that a restarted witness does not report the same episode again.
    /// </summary>
    private string? FlaggedAs(string agent)
    {
        try { return File.ReadAllText(FlagFile(agent)).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private void Flag(string agent, string? state)
    {
        try
        {
            if (state is null) { if (File.Exists(FlagFile(agent))) File.Delete(FlagFile(agent)); return; }
            Directory.CreateDirectory(Path.GetDirectoryName(FlagFile(agent))!);
            File.WriteAllText(FlagFile(agent), state + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogInformation("witness: cannot record what {Agent} was reported as: {Message}", agent, e.Message);
        }
    }

    private string FlagFile(string agent) => Path.Combine(runtime.Workspace.Paths.RunDir, "flagged", agent);

    /// <summary>Ends a hook whose item is closed (completed) or no longer its own (suspended); its worktree is kept.</summary>
    private Observation Retire(Hook h, string why, bool closed, string source)
    {
        var moved = ledger.Transact("witness", t =>
        {
            var current = runtime.Hooks.Find(h.Agent);
            if (current is null || current.State != h.State || current.Item != h.Item) return false; // someone acted since
            // Seen again under the lock: a sling writes the hook before the ledger, so outside it a
            // brand-new hook can look as if its item were not its own.
            if (HookRules.WhyNotRestart(current, t.Items.Ledger.Find(current.Item ?? "")) is null) return false;
            t.Touched(runtime.Hooks.Write(h.Agent, current.MoveTo(closed ? HookStates.Completed : HookStates.Suspended,
                Timestamps.Format(runtime.Workspace.Now), why)), h.Agent);
            return true;
        }).Value;
        if (moved) runtime.Record(source, EventKinds.Cleaned, h.Agent,
            $"{h.Agent}'s hook on {h.Item} ended: {TerminalText.Line(why)}; it is not restarted or nudged again");
        return new Observation(h.Agent, closed ? AgentStates.Done : AgentStates.Stopped, moved ? "hook ended: " + why : null);
    }

    private Observation Dead(Core.Rigs.Rig rig, Hook h, Adapters.Tmux.TmuxWindow? w, TimeSpan sinceStart, string source)
    {
        if (sinceStart < TimeSpan.FromSeconds(rig.GraceSeconds)) return new Observation(h.Agent, WatchStates.Starting, null);
        var ended = AgentStates.Ended(w?.ExitStatus, w is not null);
        if (!rig.RestartDead) return new Observation(h.Agent, AgentStates.Dead, null);
        if (h.Restarts >= rig.MaxRestarts)
        {
            // Stop trying: suspend the hook (work kept) and tell the overseer.
            ledger.Transact("witness gave up", t =>
            {
                var current = runtime.Hooks.Find(h.Agent) ?? h;
                if (current.State != HookStates.Active || current.Restarts != h.Restarts) return 0; // someone acted since
                t.Touched(runtime.Hooks.Write(h.Agent, current.MoveTo(HookStates.Suspended, Timestamps.Format(runtime.Workspace.Now),
                    $"witness gave up after {h.Restarts} restarts")), h.Agent);
                if (h.Item is { } id && t.Items.Ledger.Find(id) is { IsClosed: false })
                    t.Items.AddComment(id, $"the witness stopped restarting {h.Agent} after {Plural.Of(h.Restarts, "restart")} (last it {ended}); its worktree and commits are kept. Look at it ('orc peek {h.Agent}'), then 'orc resume {h.Agent}' or release the item.");
                return 0;
            });
            runtime.Record(source, EventKinds.GaveUp, h.Agent,
                $"{h.Agent} ({h.Item}) ended {Plural.Of(h.Restarts + 1, "time")} (last it {ended}); stopped restarting it, the overseer should look");
            new Runtime.Notifier(runtime).Raise(Runtime.Notifier.Stuck, $"{h.Agent}\ngave up\n{h.Restarts}\n{h.UpdatedAt}", $"gave up restarting {h.Agent}");
            TellOverseer(source, $"gave up restarting {h.Agent}", $"{h.Agent} on rig {rig.Name} ({h.Item}) ended {Plural.Of(h.Restarts + 1, "time")} (last it {ended}). Its hook is suspended; its worktree and commits are kept.\n" +
                $"Look: orc peek {h.Agent}  (and its worktree {h.Worktree})\nThen: orc resume {h.Agent}, or release the item.", h.Item);
            return new Observation(h.Agent, AgentStates.Dead, "gave up");
        }
        try
        {
            agents.Resume(h.Agent);
            _seen.Remove(h.Agent);
            Flag(h.Agent, null); // a new life: what it shows next is a new episode
            runtime.Record(source, EventKinds.Restarted, h.Agent,
                $"{h.Agent} ({h.Item}) {ended}; restarted it from its hook (restart {h.Restarts + 1} of {rig.MaxRestarts})");
            return new Observation(h.Agent, AgentStates.Dead, "restarted");
        }
        catch (OrcException ex)
        {
            runtime.Record(source, EventKinds.Error, h.Agent, $"could not restart {h.Agent}: {TerminalText.Line(ex.Message)}");
            return new Observation(h.Agent, AgentStates.Dead, "restart failed");
        }
    }

    /// <summary>Mail to the overseer (and the mayor, if there is one) from this rig's witness; a failure to send is logged, never stops the pass.</summary>
    private void TellOverseer(string source, string subject, string body, string? item, string? to = null)
    {
        try { mail.Send(source, to ?? mail.Supervisors(), subject, body, TimeSpan.Zero, item: item); }
        catch (OrcException ex) { logger.LogWarning("witness: mail to the overseer failed: {Message}", ex.Message); }
    }

    /// <summary>What the agent's profile reads on its screen, and the screen's steady part (all of it without a profile).</summary>
    private (string State, string Steady) Read(string profile, string screen)
    {
        try
        {
            var p = runtime.Profiles.Get(profile);
            return (p.Classify(screen), p.Steady(screen));
        }
        catch (OrcException) { return (AgentStates.Unknown, screen); }
    }

    private static DateTimeOffset Parse(string at, DateTimeOffset fallback) =>
        DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind,
            out var t) ? t : fallback;
}
