using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core;
using Orchestrator.Core.Events;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Supervision;
using Orchestrator.Core.Text;
using Orchestrator.Services.Patrol;
using Orchestrator.Services.Refinery;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Cli.Commands;

/// <summary>The services that run by themselves and what they show: <c>orc mq</c>, <c>orc refinery</c>, <c>orc feed</c>, <c>orc status</c>.</summary>
internal static class ServiceCommands
{
    public static IEnumerable<Command> Build(IServiceProvider services)
    {
        RefineryService Refinery() => services.GetRequiredService<RefineryService>();
        RuntimeContext Runtime() => services.GetRequiredService<RuntimeContext>();

        // ---- orc mq ----
        var mq = new Command("mq", "The merge queues: what 'orc done' submitted and what the refinery did with it");
        var rigOpt = new Option<string>("--rig", "-r") { Description = "Only this rig" };
        var all = new Option<bool>("--all", "-a") { Description = "Also merged and rejected submissions" };
        var listJson = Options.Json();
        var listNoHeaders = Options.NoHeaders();
        var list = new Command("list", "Queued and merging submissions, in the order the refinery will take them (with --all, the finished ones too)") { rigOpt,
            all, listJson, listNoHeaders };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var subs = Refinery().List(pr.GetValue(rigOpt)).Where(s => pr.GetValue(all) || s.IsOpen).ToList();
            if (pr.GetValue(listJson)) { JsonOut.Write(v.Env, subs.Select(SubmissionJson.From).ToList(), CliJsonContext.Default.ListSubmissionJson); return 0; }
            if (subs.Count == 0) { v.Out.WriteLine(pr.GetValue(all) ? "no submissions" : "the merge queues are empty"); return 0; }
            var table = new Table(new("ITEM"), new("RIG"), new("STATE"), new("PRI"), new("AGENT"), new("SUBMITTED"), new("NOTE", Text: true));
            foreach (var s in subs)
                table.Add(s.Item, s.Rig, s.State, "P" + s.Priority, s.Agent, s.SubmittedAt,
                    TerminalText.Line(s.Reason ?? (s.State == SubmissionStates.PullRequest
                        && s.PullRequest is { } url ? url : s.Landed is { } l ? "landed " + l[..12] : "")));
            v.Print(table, pr.GetValue(listNoHeaders));
            return 0;
        });
        mq.Add(list);

        var showItem = Options.ItemId("ITEM");
        var showJson = Options.Json();
        var show = new Command("show", "One submission: branch, commits, state, and why it was returned") { showItem, showJson };
        show.SetAction(pr =>
        {
            var v = new Verb(services);
            var s = Refinery().Get(pr.GetValue(showItem)!);
            if (pr.GetValue(showJson)) { JsonOut.Write(v.Env, SubmissionJson.From(s), CliJsonContext.Default.SubmissionJson); return 0; }
            v.Out.WriteLine($"{s.Item} on rig {s.Rig}: {s.State}");
            v.Out.WriteLine($"  by {s.Agent}, branch {TerminalText.Line(s.Branch)} at {s.Commit[..12]} ({s.Commits.Count} commit{(s.Commits.Count == 1 ? "" : "s")}), submitted {s.SubmittedAt}, P{s.Priority}");
            if (s.Note is { } note) v.Out.WriteLine($"  note: {TerminalText.Line(note)}");
            if (s.PullRequest is { } pull)
                v.Out.WriteLine($"  pull request: {TerminalText.Line(pull)}{(s.PullRequestBranch is { } head ? $" (branch {TerminalText.Line(head)} of origin)" : "")}{(s.State == SubmissionStates.PullRequest ? $", open since {s.ReviewSince}; it lands when the forge merges it" : "")}");
            if (s.Landed is { } landed) v.Out.WriteLine($"  landed as {landed} at {s.FinishedAt}");
            if (s.Reason is { } reason) v.Out.WriteLine($"  returned: {TerminalText.Line(reason)}");
            if (s.Reviewer is { } r)
                v.Out.WriteLine($"  reviewer {r.Agent} ({TerminalText.Line(r.Profile)}) on {r.Candidate[..Math.Min(12, r.Candidate.Length)]}: {r.State}{(r.Verdict is { } verdict ? ", " + verdict : "")}{(r.Notes is { } notes ? ": " + TerminalText.Line(notes) : "")}");
            if (s.Details is { } details) v.Out.WriteLine(TerminalText.Block(details).TrimEnd());
            return 0;
        });
        mq.Add(show);

        var retryItem = Options.ItemId("ITEM");
        var retry = new Command("retry", "Queue a rejected submission again, at its branch's current tip") { retryItem };
        retry.SetAction(pr =>
        {
            var v = new Verb(services);
            var s = Refinery().Retry(pr.GetValue(retryItem)!);
            v.Out.WriteLine($"queued {s.Item} again at {s.Commit[..12]}");
            return 0;
        });
        mq.Add(retry);

        var rejectItem = Options.ItemId("ITEM");
        var reason = new Option<string>("--reason") { Description = "Why (goes on the item and to the worker)", Required = true };
        var reject = new Command("reject", "Take a queued submission out of the queue and return the work, with a reason") { rejectItem, reason };
        reject.SetAction(pr =>
        {
            var v = new Verb(services);
            var s = Refinery().RejectByHand(pr.GetValue(rejectItem)!, pr.GetValue(reason)!);
            v.Out.WriteLine($"rejected {s.Item}: {TerminalText.Line(s.Reason ?? "")}");
            return 0;
        });
        mq.Add(reject);
        yield return mq;

        // ---- orc refinery ----
        var refinery = new Command("refinery", "The merge queue's worker for one rig ('orc up' starts one per rig)");
        var runRig = new Argument<string>("RIG") { Description = "Rig name" };
        var once = new Option<bool>("--once") { Description = "One pass over the queue, then exit" };
        var interval = new Option<double>("--interval") { Description = "Seconds between passes (default 5)", DefaultValueFactory = _ => 5 };
        var refineryWait = WaitOption();
        var run = new Command("run", "Run the refinery of RIG: take queued submissions, gate them, land them on main or return them") { runRig, once, interval,
            refineryWait };
        run.SetAction(pr =>
        {
            var v = new Verb(services);
            var rig = Runtime().Rigs.Get(pr.GetValue(runRig)!);
            var svc = Refinery();
            var service = ServiceDefinition.ForRefinery(rig.Name);
            using var claim = Claim(Path.Combine(Runtime().Workspace.Paths.LocksDir, service.LockFile), service.Name, pr.GetValue(refineryWait));
            using var stop = StopSignal();
            services.GetRequiredService<PatrolLoop>().Run(RefineryService.SourceOf(rig.Name), Seconds(pr.GetValue(interval)), () =>
            {
                var outcomes = svc.Pass(Runtime().Rigs.Get(rig.Name));
                foreach (var o in outcomes)
                    v.Out.WriteLine($"{o.Item}: {o.Result}{(o.Commit is { } c ? " as " + c[..12] : "")}{(o.Reason is { } r ? " (" + TerminalText.Line(r) + ")" : "")}");
                v.Out.Flush();
                if (svc.BackingOff(rig.Name) is { } why && outcomes.All(o => o.Result == "waiting")) return "backing off: " + why;
                return outcomes.Count == 0
                    ? null : $"{outcomes.Count(o => o.Result == "merged")} merged, {outcomes.Count(o => o.Result == "rejected")} returned"
                    + (outcomes.Count(o => o.Result == "review") is var held and > 0 ? $", {held} held for review" : "")
                    + (outcomes.Count(o
                        => o.Result == SubmissionStates.PullRequest) is var opened and > 0 ? $", {opened} pull request{(opened == 1 ? "" : "s")} opened" : "");
            }, stop.Token, pr.GetValue(once));
            return 0;
        });
        refinery.Add(run);
        yield return refinery;

        // ---- orc witness / deacon / boot ----
        yield return PatrolCommand(services, "witness", "The recovery monitor of one rig ('orc up' starts one per rig)",
            "Run the witness of RIG: classify each agent, nudge idle ones holding work, restart dead ones, flag waiting, stuck and looping ones", 10,
                perRig: true,
            (rig, _) => services.GetRequiredService<Orchestrator.Services.Witness.WitnessService>().Pass(rig!)
                .Where(o => o.Action is not null).Select(o => $"{o.Agent}: {o.State}, {o.Action}").ToList());
        var noSupervise = new Option<bool>("--no-supervise") { Description = "Do not restart stale refineries and witnesses" };
        yield return PatrolCommand(services, "deacon", "The workspace's maintenance patrol ('orc up' starts it)",
            "Run the deacon: clean landed worktrees, close orphan windows, release orphaned items, restart stale refineries and witnesses, watch the mayor (restart it when its program ended, report it waiting or stuck), checkpoint dead agents' dirty worktrees, compact old events", 30, perRig: false,
            (_, pr) => services.GetRequiredService<DeaconService>().Pass(supervise: !pr.GetValue(noSupervise)), noSupervise);
        yield return PatrolCommand(services, "boot", "The deacon's watchdog ('orc up' starts it)",
            "Run boot: restart the deacon when its heartbeat is stale", 30, perRig: false,
            (_, _) => services.GetRequiredService<BootService>().Pass() is { } s ? [s] : []);

        var dogAgent = new Argument<string>("AGENT") { Description = "Agent name" };
        var checkpoint = new Command("checkpoint",
            "Commit a dead agent's uncommitted work to refs/orc/checkpoints/AGENT (worktree, index and branch untouched)") { dogAgent };
        checkpoint.SetAction(pr =>
        {
            var v = new Verb(services);
            v.Out.WriteLine(services.GetRequiredService<DeaconService>().Checkpoint(pr.GetValue(dogAgent)!));
            return 0;
        });
        yield return new Command("dog", "One maintenance task, run by the deacon") { Hidden = true, Subcommands = { checkpoint } };

        // ---- orc feed ----
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they come (Ctrl-C stops)" };
        var count = new Option<int>("--lines", "-n") { Description = "How many recent events (default 30)", DefaultValueFactory = _ => 30 };
        var source = new Option<string>("--source") { Description = "Only events from this part (e.g. refinery@app, witness@app, deacon)" };
        var feedJson = Options.Json();
        var feed = new Command("feed", "What the refinery, witness, deacon and boot did, newest last") { follow, count, source, feedJson };
        feed.SetAction(pr =>
        {
            var v = new Verb(services);
            var log = Runtime().Events;
            var only = pr.GetValue(source);
            var json = pr.GetValue(feedJson);
            bool Keep(OrcEvent e) => only is null || e.Source == only;
            void Print(OrcEvent e)
            {
                if (json) v.Out.WriteLine(JsonSerializer.Serialize(e, Adapters.Storage.OrcEventJsonContext.Default.OrcEvent));
                else v.Out.WriteLine($"{e.At}  {TerminalText.Line(e.Source),-16} {e.Kind,-10} {TerminalText.Line(e.Text)}");
            }
            var (events, next) = log.ReadFrom(0);
            var shown = events.Where(Keep).ToList();
            if (json && !pr.GetValue(follow))
            {
                JsonOut.Write(v.Env, w =>
                {
                    w.WriteStartArray();
                    foreach (var e in shown.TakeLast(Math.Max(0, pr.GetValue(count)))) JsonSerializer.Serialize(w, e,
                        Adapters.Storage.OrcEventJsonContext.Default.OrcEvent);
                    w.WriteEndArray();
                });
                return 0;
            }
            foreach (var e in shown.TakeLast(Math.Max(0, pr.GetValue(count)))) Print(e);
            v.Out.Flush();
            if (!pr.GetValue(follow)) return 0;
            using var stop = StopSignal();
            while (!stop.Token.WaitHandle.WaitOne(250))
            {
                (events, next) = log.ReadFrom(next);
                foreach (var e in events.Where(Keep)) Print(e);
                v.Out.Flush();
            }
            return 0;
        });
        yield return feed;

        // ---- orc status ----
        var statusJson = Options.Json();
        var statusNoHeaders = Options.NoHeaders();
        var status = new Command("status", "The services (refinery and witness per rig, deacon, boot): running, stale, stopped, crashed or crash-looping, with the pid, last heartbeat, what they did last, and for a crash the error, the crash report and the next restart") { statusJson, statusNoHeaders };
        status.SetAction(pr =>
        {
            var v = new Verb(services);
            var rt = Runtime();
            var launcher = services.GetRequiredService<ServiceLauncher>();
            var windows = rt.Tmux.ListWindows();
            var expected = launcher.Expected();
            // Heartbeats of services no longer expected (a removed rig's) are shown too.
            var extra = rt.Heartbeats.All().Where(b => expected.All(d => d.Name != b.Name)).Select(b
                => ServiceDefinition.Parse(b.Name)).OfType<ServiceDefinition>();
            var rows = expected.Concat(extra).Select(d => (Def: d, Health: launcher.Health(d, windows), Beat: rt.Heartbeats.Find(d.RecordKey))).ToList();
            if (pr.GetValue(statusJson))
            {
                JsonOut.Write(v.Env, rows.Select(r => ServiceJson.From(r.Def.Name, r.Health, r.Beat)).ToList(), CliJsonContext.Default.ListServiceJson);
                return 0;
            }
            var table = new Table(new("SERVICE"), new("STATE"), new("PID"), new("HEARTBEAT"), new("LAST", Text: true));
            foreach (var (d, h, b) in rows)
            {
                var pid = (h.Alive || h.IsCrash) && h.Pid is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
                var beat = b is not null && h.Alive ? b.BeatAt : "";
                var detail = b is not null && h.Alive ? TerminalText.Line(b.Last ?? "") : "";
                if (h.IsCrash)
                {
                    detail = $"{Plural.Of(h.Crashes, "crash", "crashes")} in a row, {Plural.Of(h.Restarts, "restart")}";
                    if (h.NextStartAt is { } next) detail += $", next start {next}";
                    detail += $": {TerminalText.Line(h.Error ?? "")}";
                    if (h.Log is { } log) detail += $" (report {log})";
                }
                else if (!h.Alive && b?.Last is { } last) detail = $"last: {TerminalText.Line(last)}";
                table.Add(d.Name, h.State, pid, beat, detail);
            }
            // The workspace's own agent: the mayor, when there is one.
            if (services.GetRequiredService<MayorService>().Status() is { Hook: { } mayorHook } m)
                table.Add("mayor", m.State, "", "",
                    $"profile {mayorHook.Profile}, {Plural.Of(m.Unread, "unread message")}{(m.Running ? "" : " (orc mayor start)")}");
            v.Print(table, pr.GetValue(statusNoHeaders));
            // Agents that stopped to ask for a person (orc done --status escalated).
            foreach (var e in rt.Hooks.All().Where(Core.Agents.HookRules.Escalated))
                v.Out.WriteLine($"needs a person: {e.Agent} on {e.Item} (rig {e.Rig}): {TerminalText.Line(e.Note ?? "")}  (orc peek {e.Agent}; orc resume {e.Agent})");
            return 0;
        });
        yield return status;
    }

    /// <summary><c>orc NAME run [RIG] [--once] [--interval S]</c>: one instance per workspace (or rig), a pass per interval.</summary>
    private static Command PatrolCommand(IServiceProvider services, string name, string description, string runDescription, double defaultInterval, bool perRig,
        Func<string?, ParseResult, List<string>> pass, params Option[] extra)
    {
        var command = new Command(name, description);
        var rigArg = new Argument<string>("RIG") { Description = "Rig name" };
        var once = new Option<bool>("--once") { Description = "One pass, then exit" };
        var interval = new Option<double>("--interval") { Description = $"Seconds between passes (default {defaultInterval})",
            DefaultValueFactory = _ => defaultInterval };
        var wait = WaitOption();
        var run = new Command("run", runDescription) { once, interval, wait };
        foreach (var o in extra) run.Add(o);
        if (perRig) run.Add(rigArg);
        run.SetAction(pr =>
        {
            var v = new Verb(services);
            var runtime = services.GetRequiredService<RuntimeContext>();
            var rig = perRig ? runtime.Rigs.Get(pr.GetValue(rigArg)!).Name : null;
            var service = ServiceDefinition.Parse(ServiceDefinition.NameOf(name, rig)) ?? throw new InvalidOperationException("no service " + name);
            var source = service.Name;
            using var claim = Claim(Path.Combine(runtime.Workspace.Paths.LocksDir, service.LockFile), source, pr.GetValue(wait));
            using var stop = StopSignal();
            services.GetRequiredService<PatrolLoop>().Run(source, Seconds(pr.GetValue(interval)), () =>
            {
                var did = pass(rig, pr);
                foreach (var line in did) v.Out.WriteLine(TerminalText.Line(line));
                v.Out.Flush();
                return did.Count == 0 ? null : string.Join("; ", did.Take(3));
            }, stop.Token, pr.GetValue(once));
            return 0;
        });
        command.Add(run);
        return command;
    }

    /// <summary>Hidden: how long a restarted service waits for its predecessor to finish its pass and let go.</summary>
    private static Option<double> WaitOption() => new("--wait") { Hidden = true,
        Description = "Seconds to wait for another instance to stop (default 0: refuse at once)" };

    /// <summary>The one-instance lock of a service: refused at once (or after --wait seconds) if another instance holds it.</summary>
    private static Adapters.Storage.FileLock Claim(string lockPath, string source, double waitSeconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(Math.Clamp(waitSeconds, 0, 600));
        while (true)
        {
            if (Adapters.Storage.FileLock.TryAcquire(lockPath, source) is { } claim) return claim;
            if (DateTime.UtcNow >= deadline)
                throw new OrcException($"the {source} is already running ({Adapters.Storage.FileLock.Holder(lockPath)})", ExitCodes.Busy);
            Thread.Sleep(200);
        }
    }

    private static TimeSpan Seconds(double s) =>
        s is > 0 and <= 3600 ? TimeSpan.FromSeconds(s) : throw new OrcException($"--interval must be between 0 and 3600 seconds, got {s}", ExitCodes.Usage);

    /// <summary>Cancelled by Ctrl-C, SIGTERM or SIGHUP, so a loop ends its pass and writes its last heartbeat.</summary>
    internal static StopSource StopSignal() => new();

    internal sealed class StopSource : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly List<PosixSignalRegistration> _registrations = [];

        public StopSource()
        {
            foreach (var sig in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
                _registrations.Add(PosixSignalRegistration.Create(sig, ctx => { ctx.Cancel = true; _cts.Cancel(); }));
        }

        public CancellationToken Token => _cts.Token;

        public void Dispose()
        {
            foreach (var r in _registrations) r.Dispose();
            _cts.Dispose();
        }
    }
}
