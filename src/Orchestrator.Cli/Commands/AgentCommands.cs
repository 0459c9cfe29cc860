using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Text;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Cli.Commands;

/// <summary>The agent runtime: sling, agents, nudge, peek, attach, kill, resume, up, down, cleanup, and the agent's own prime, hook, done.</summary>
internal static class AgentCommands
{
    public static IEnumerable<Command> Build(IServiceProvider services)
    {
        AgentService Agents() => services.GetRequiredService<AgentService>();
        WorkService Work() => services.GetRequiredService<WorkService>();

        var item = Options.ItemIds("ITEM");
        var rig = new Option<string>("--rig", "-r") { Description = "Rig to work in (default: the rig whose prefix the item has)" };
        var agent = new Option<string>("--agent") { Description = "Agent name (default: the next free name from the pool; one item only)" };
        var profile = new Option<string>("--profile") { Description = "Agent profile (default: the rig's, else the workspace's)" };
        var convoyName = new Option<string>("--convoy") { Description = "Also make a convoy NAME of the items (tracked, landed and scored as one unit)" };
        var crewName = new Option<string>("--crew") { Description = "Give the item to this crew member instead of a polecat: branch crew/NAME/ITEM in its own worktree (one item)" };
        var slingJson = Options.Json();
        var noQueue = new Option<bool>("--no-queue") { Description = "Refuse instead of queueing when the rig has no free polecat slot (max_polecats)" };
        var sling = new Command("sling", "Hook work items onto polecats: for each, a worktree on branch polecat/NAME/ITEM, the item marked hooked, the agent started in its tmux window; over the rig's max_polecats, the item is queued and the deacon slings it when a slot frees")
        {
            item, rig, agent, profile, convoyName, crewName, slingJson, noQueue,
        };
        sling.SetAction(pr =>
        {
            var v = new Verb(services);
            var ids = pr.GetValue(item)!;
            if (ids.Length > 1 && pr.GetValue(agent) is not null) throw new OrcException("--agent names one agent: sling one item with it", ExitCodes.Usage);
            if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length) throw new OrcException("sling: an item is named twice", ExitCodes.Usage);
            // A crew member (named by --crew, or by --agent) takes one item in its own worktree.
            var crew = pr.GetValue(crewName);
            if (crew is not null && pr.GetValue(agent) is not null) throw new OrcException("--crew and --agent both name the agent: give one", ExitCodes.Usage);
            if (crew is null && pr.GetValue(agent) is { } named && Names.IsValid(named)
                && services.GetRequiredService<RuntimeContext>().Hooks.Find(named) is { Role: Roles.Crew, State: not HookStates.Archived }) crew = named;
            if (crew is not null && ids.Length > 1) throw new OrcException("--crew: a crew member takes one item at a time", ExitCodes.Usage);
            if (pr.GetValue(convoyName) is { } name)
            {
                var c = services.GetRequiredService<Orchestrator.Services.Convoys.ConvoyService>().Create(name, ids, null, null);
                if (!pr.GetValue(slingJson)) v.Out.WriteLine($"created convoy {c.Name} with {Plural.Of(c.Items.Count, "item")}");
            }
            var hooks = new List<Hook>();
            var queued = new List<DispatchEntry>();
            var failed = 0;
            foreach (var id in ids)
            {
                try
                {
                    if (crew is not null) { hooks.Add(services.GetRequiredService<CrewService>().Assign(id, crew, pr.GetValue(rig),
                        pr.GetValue(profile))); continue; }
                    var h = services.GetRequiredService<SlingService>().Sling(new SlingService.Request(id, pr.GetValue(rig), pr.GetValue(agent),
                        pr.GetValue(profile)), queue: !pr.GetValue(noQueue), out var waiting);
                    if (h is not null) hooks.Add(h);
                    if (waiting is not null) queued.Add(waiting);
                }
                catch (OrcException ex) when (ids.Length > 1)
                {
                    // One item that cannot go does not stop the others; each is its own locked change.
                    failed++;
                    v.Env.Error.WriteLine($"orc: error: {id}: {TerminalText.Line(ex.Message)}");
                }
            }
            if (pr.GetValue(slingJson))
            {
                if (ids.Length == 1 && hooks.Count == 1) Output.JsonOut.Write(v.Env, HookJson.From(hooks[0]), CliJsonContext.Default.HookJson);
                else if (ids.Length == 1 && queued.Count == 1) Output.JsonOut.Write(v.Env, QueuedJson.From(queued[0]), CliJsonContext.Default.QueuedJson);
                else Output.JsonOut.Write(v.Env, w =>
                {
                    // hooks then queued: two shapes in one array
                    w.WriteStartArray();
                    foreach (var h in hooks) JsonSerializer.Serialize(w, HookJson.From(h), CliJsonContext.Default.HookJson);
                    foreach (var q in queued) JsonSerializer.Serialize(w, QueuedJson.From(q), CliJsonContext.Default.QueuedJson);
                    w.WriteEndArray();
                });
            }
            else
            {
                foreach (var h in hooks) v.Out.WriteLine($"slung {h.Item} to {h.Agent} on rig {h.Rig} ({h.Profile}); branch {h.Branch}");
                foreach (var q in queued) v.Out.WriteLine($"queued {q.Item} for rig {q.Rig}: no free polecat slot (max_polecats); the deacon slings it when one frees (orc dispatch list)");
                if (hooks.Count == 1) v.Out.WriteLine($"watch it: orc peek {hooks[0].Agent}   go there: orc attach {hooks[0].Agent}");
                else if (hooks.Count > 1) v.Out.WriteLine("watch them: orc agents   orc peek AGENT");
            }
            return failed == 0 ? 0 : ExitCodes.Failure;
        });
        yield return sling;

        var dispatchJson = Options.Json();
        var dispatchNoHeaders = Options.NoHeaders();
        var dispatchList = new Command("list", "Items queued for a free polecat slot, oldest first (the deacon slings them as slots free)") { dispatchJson,
            dispatchNoHeaders };
        dispatchList.SetAction(pr =>
        {
            var v = new Verb(services);
            var list = services.GetRequiredService<RuntimeContext>().Dispatch.All().OrderBy(e => e.QueuedAt, StringComparer.Ordinal).ToList();
            if (pr.GetValue(dispatchJson)) { Output.JsonOut.Write(v.Env, list.Select(QueuedJson.From).ToList(),
                CliJsonContext.Default.ListQueuedJson); return 0; }
            if (list.Count == 0) { v.Out.WriteLine("nothing is queued"); return 0; }
            var table = new Output.Table(new("ITEM"), new("RIG"), new("QUEUED"), new("BY", Text: true));
            foreach (var q in list) table.Add(q.Item, q.Rig, q.QueuedAt, TerminalText.Line(q.By));
            v.Print(table, pr.GetValue(dispatchNoHeaders));
            return 0;
        });
        var cancelItem = Options.ItemId("ITEM");
        var dispatchCancel = new Command("cancel", "Take an item out of the dispatch queue (it stays open, not slung)") { cancelItem };
        dispatchCancel.SetAction(pr =>
        {
            var v = new Verb(services);
            var id = pr.GetValue(cancelItem)!;
            var rt = services.GetRequiredService<RuntimeContext>();
            if (rt.Dispatch.Find(id) is null) throw new OrcException($"{id} is not queued (orc dispatch list)", ExitCodes.NotFound);
            services.GetRequiredService<Orchestrator.Services.Ledger.LedgerService>().Transact("dispatch cancel", t => { t.Touched(rt.Dispatch.Delete(id),
                id); return 0; });
            v.Out.WriteLine($"{id} is no longer queued");
            return 0;
        });
        yield return new Command("dispatch", "The dispatch queue: items a sling queued because their rig had no free polecat slot") { dispatchList,
            dispatchCancel };

        var json = Options.Json();
        var noHeaders = Options.NoHeaders();
        var agents = new Command("agents", "Every agent: rig, role, item, state (working, idle, waiting, error, stuck, looping, dead, stopped, done; the same as the TUI and the witness) and last activity") { json, noHeaders };
        agents.SetAction(pr =>
        {
            var v = new Verb(services);
            var list = Agents().List();
            if (pr.GetValue(json)) { Output.JsonOut.Write(v.Env, list.Select(HookJson.From).ToList(), CliJsonContext.Default.ListHookJson); return 0; }
            if (list.Count == 0) { v.Out.WriteLine("no agents; start one with 'orc sling ITEM'"); return 0; }
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var table = new Output.Table(new("AGENT"), new("RIG"), new("ROLE"), new("ITEM"), new("STATE"), new("LAST ACTIVITY", Text: true));
            foreach (var a in list)
                table.Add(a.Hook.Agent, a.Hook.Rig, a.Hook.Role, a.Hook.Item ?? "-", AgentStates.Spoken(a.State, a.ExitStatus),
                    a.LastActivityUnix is { } t ? $"{Math.Max(0, now - t)}s ago" : "-");
            v.Print(table, pr.GetValue(noHeaders));
            return 0;
        });
        yield return agents;

        var nudgeAgent = new Argument<string>("AGENT") { Description = "Agent name" };
        var text = new Argument<string>("TEXT") { Description = "What to tell it (typed as literal text, then Enter)" };
        var nudge = new Command("nudge", "Type a message into an agent's pane: literal text (control characters shown, nothing run), Enter after a short settle, delivery checked") { nudgeAgent, text };
        nudge.SetAction(pr =>
        {
            var v = new Verb(services);
            var delivered = Agents().Nudge(pr.GetValue(nudgeAgent)!, pr.GetValue(text)!);
            v.Out.WriteLine(delivered ? $"nudged {pr.GetValue(nudgeAgent)}" : $"sent to {pr.GetValue(nudgeAgent)}, but its pane did not change");
            return delivered ? 0 : 1;
        });
        yield return nudge;

        var peekAgent = new Argument<string>("AGENT") { Description = "Agent name" };
        var lines = new Option<int>("--lines", "-n") { Description = "How many lines (default 30)", DefaultValueFactory = _ => 30 };
        var peek = new Command("peek", "Print the last lines of an agent's pane (escape sequences shown, never sent to your terminal)") { peekAgent, lines };
        peek.SetAction(pr =>
        {
            var v = new Verb(services);
            v.Out.WriteLine(Agents().Peek(pr.GetValue(peekAgent)!, pr.GetValue(lines)));
            return 0;
        });
        yield return peek;

        var attachAgent = new Argument<string>("AGENT") { Description = "Agent name" };
        var attach = new Command("attach", "Go to an agent's tmux window (switches the client when you are inside orc's tmux, else attaches; detach with prefix d, or F12 back to the orc window)") { attachAgent };
        attach.SetAction(pr => Attach(services, pr.GetValue(attachAgent)!));
        yield return attach;

        foreach (var (verb, help) in new[]
        {
            ("kill", "Stop an agent; its worktree and hook stay (suspended) for 'orc resume'"),
            ("resume", "Restart an agent that holds a hook but has no live window, in its worktree"),
        })
        {
            var a = new Argument<string>("AGENT") { Description = "Agent name" };
            var cmd = new Command(verb, help) { a };
            cmd.SetAction(pr =>
            {
                var v = new Verb(services);
                var h = verb == "kill" ? Agents().Kill(pr.GetValue(a)!) : Agents().Resume(pr.GetValue(a)!);
                v.Out.WriteLine(verb == "kill"
                    ? $"stopped {h.Agent}; its hook is {h.State} (orc resume {h.Agent})" : $"resumed {h.Agent} on {h.Item} (restart {h.Restarts})");
                return 0;
            });
            yield return cmd;
        }

        var unslingTarget = new Argument<string>("ITEM|AGENT") { Description = "The item to take back, or the agent to take it from" };
        var removeWorktree = new Option<bool>("--remove-worktree") { Description = "Also remove the agent's worktree (its branch and commits stay): the polecat is gone for good" };
        var force = new Option<bool>("--force") { Description = "With --remove-worktree: remove it even with uncommitted changes (they are lost; the output names them)" };
        var unsling = new Command("unsling", "Take work back from an agent: stop it, put the item back to ready, end its hook; the worktree and branch stay unless --remove-worktree") { unslingTarget, removeWorktree, force };
        unsling.SetAction(pr =>
        {
            var v = new Verb(services);
            v.Out.WriteLine(Agents().Unsling(pr.GetValue(unslingTarget)!, pr.GetValue(removeWorktree), pr.GetValue(force)));
            return 0;
        });
        yield return unsling;

        var noServices = new Option<bool>("--no-services") { Description = "Only the agents: do not start boot, the deacon, or the rigs' refineries and witnesses" };
        var up = new Command("up", "Start the services (boot, deacon, a refinery and a witness per rig, in tmux windows of the 'orc' session) and restart every agent that holds a hook but has no live window") { noServices };
        up.SetAction(pr =>
        {
            var v = new Verb(services);
            var left = new List<string>();
            var restarted = Agents().Up(left);
            v.Out.WriteLine(restarted.Count == 0 ? "every hooked agent is running" : $"restarted {string.Join(", ", restarted.Select(h => h.Agent))}");
            foreach (var l in left) v.Out.WriteLine("left stopped: " + TerminalText.Line(l));
            if (!pr.GetValue(noServices))
            {
                var started = services.GetRequiredService<Orchestrator.Services.Patrol.ServiceLauncher>().EnsureAll(services.GetRequiredService<RuntimeContext>().Workspace.Actor, now: true);
                v.Out.WriteLine(started.Count == 0 ? "every service is running (orc status)" : $"{string.Join("; ", started)} (orc status; orc feed -f)");
            }
            return 0;
        });
        yield return up;

        var downForce = new Option<bool>("--force") { Description = "End the tmux server without asking it (one that is stopped or hung and does not answer): its process is killed" };
        var down = new Command("down", "Stop this workspace's tmux server and its agents (only this workspace's); hooks and worktrees stay") { downForce };
        down.SetAction(pr =>
        {
            var v = new Verb(services);
            var (windows, killed) = Agents().Down(pr.GetValue(downForce));
            v.Out.WriteLine(windows is { } n ? $"stopped {Plural.Of(n, "window")}; 'orc up' brings hooked agents back"
                : killed.Count > 0 ? $"killed the tmux server (pid {string.Join(", ", killed)}) and its agents; 'orc up' brings hooked agents back"
                : "no tmux server of this workspace was running; 'orc up' starts one");
            return 0;
        });
        yield return down;

        var cleanup = new Command("cleanup", "Remove the worktrees of completed hooks; refuses dirty ones and says which");
        cleanup.SetAction(_ =>
        {
            var v = new Verb(services);
            var (cleaned, refused) = Agents().Cleanup();
            v.Out.WriteLine(cleaned.Count == 0 ? "nothing to clean up" : $"cleaned up {string.Join(", ", cleaned)}");
            foreach (var r in refused) v.Env.Error.WriteLine($"orc: kept {r}");
            return refused.Count == 0 ? 0 : 1;
        });
        yield return cleanup;

        var primeAgent = new Option<string>("--agent") { Description = "Agent name (default: ORC_AGENT)" };
        var prime = new Command("prime", "For an agent: its role, its hooked item, how to submit, its mail and the workspace's learnings") { primeAgent };
        prime.SetAction(pr =>
        {
            new Verb(services).Out.Write(Work().Prime(pr.GetValue(primeAgent)));
            return 0;
        });
        yield return prime;

        var hookAgent = new Option<string>("--agent") { Description = "Agent name (default: ORC_AGENT)" };
        var hookJson = Options.Json();
        var hook = new Command("hook", "For an agent: what am I on (item, branch, worktree, hook state)") { hookAgent, hookJson };
        hook.SetAction(pr =>
        {
            var v = new Verb(services);
            var h = Work().MyHook(pr.GetValue(hookAgent));
            if (pr.GetValue(hookJson)) { Output.JsonOut.Write(v.Env, HookJson.From(h), CliJsonContext.Default.HookJson); return 0; }
            v.Out.WriteLine($"{h.Agent}: {h.Item ?? "(no item)"} on rig {h.Rig}, hook {h.State}");
            v.Out.WriteLine($"  branch {h.Branch}  worktree {h.Worktree}");
            return 0;
        });
        yield return hook;

        var doneAgent = new Option<string>("--agent") { Description = "Agent name (default: ORC_AGENT)" };
        var note = new Option<string>("--note") { Description = "A note for the reviewer" };
        var doneStatus = new Option<string>("--status") { Description = "How the work ends: submitted (default: to the merge queue), no-changes (closes the item), deferred (back to the ledger as deferred), escalated (waits for a person; mails the overseer and the mayor); all but submitted need --note" };
        doneStatus.AcceptOnlyFromAmong(WorkService.DoneStatuses);
        var done = new Command("done", "For an agent: submit my branch to the rig's merge queue (refused if the worktree is dirty or has no new commit), or end the work another way (--status)") { doneAgent, note, doneStatus };
        done.SetAction(pr =>
        {
            var v = new Verb(services);
            if (pr.GetValue(doneStatus) is { } how && how != "submitted")
            {
                v.Out.WriteLine(Work().Finish(pr.GetValue(doneAgent), how, pr.GetValue(note)));
                return 0;
            }
            var s = Work().Done(pr.GetValue(doneAgent), pr.GetValue(note));
            v.Out.WriteLine($"submitted {s.Item} ({Plural.Of(s.Commits.Count, "commit")}, {s.Commit[..12]}) to the merge queue of {s.Rig}");
            return 0;
        });
        yield return done;

        var sim = new Command("sim-agent", "The simulated coding agent (profile 'sim'): makes a real change, commits it, runs 'orc done'") { Hidden = true };
        sim.SetAction(_ =>
        {
            var v = new Verb(services);
            return services.GetRequiredService<SimAgent>().Run(v.Out, v.Env.In);
        });
        yield return sim;
    }

    internal static int Attach(IServiceProvider services, string agent)
    {
        var runtime = services.GetRequiredService<RuntimeContext>();
        var h = services.GetRequiredService<AgentService>().Get(agent);
        var target = TmuxServer.Target(h.Rig, h.Agent);
        if (runtime.Tmux.FindWindow(h.Rig, h.Agent) is null) throw new OrcException($"agent {h.Agent} has no window (orc resume {h.Agent})");
        if (!TmuxAttach.Inside(runtime.Tmux, runtime.Workspace.Environment) && (Console.IsInputRedirected || Console.IsOutputRedirected))
            throw new OrcException("attach needs a terminal (stdin and stdout must not be redirected)", ExitCodes.Usage);
        return TmuxAttach.Open(runtime.Tmux, target, runtime.Workspace.Environment);
    }
}
