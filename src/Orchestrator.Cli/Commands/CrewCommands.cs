using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Text;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc crew add | list | start | stop | attach | release | remove</c>: named, persistent workers with a worktree of their own per rig.</summary>
internal static class CrewCommands
{
    public static Command Build(IServiceProvider services)
    {
        var crew = new Command("crew",
            "Crew: named, persistent workers of a rig, each with a worktree that stays between items (give one work with 'orc sling ITEM --crew NAME')");
        CrewService Crew() => services.GetRequiredService<CrewService>();
        Argument<string> Name() => new("NAME") { Description = "Crew member name: lowercase letters, digits, - and _" };

        var addName = Name();
        var rig = new Option<string>("--rig", "-r") { Description = "The rig it works on", Required = true };
        var profile = new Option<string>("--profile") { Description = "Agent profile (default: the rig's, else the workspace's)" };
        var add = new Command("add",
            "Add a crew member: its worktree worktrees/RIG/NAME on branch crew/NAME/home (from the rig's main), recorded and committed") { addName, rig,
            profile };
        add.SetAction(pr =>
        {
            var v = new Verb(services);
            var h = Crew().Add(new CrewService.AddRequest(pr.GetValue(addName)!, pr.GetValue(rig)!, pr.GetValue(profile)));
            v.Out.WriteLine($"added crew member {h.Agent} on rig {h.Rig} ({h.Profile}); worktree {h.Worktree} on branch {h.Branch}");
            v.Out.WriteLine($"start it: orc crew start {h.Agent}   give it work: orc sling ITEM --crew {h.Agent}");
            return 0;
        });
        crew.Add(add);

        var json = Options.Json();
        var noHeaders = Options.NoHeaders();
        var list = new Command("list", "Every crew member: rig, item it holds, state (working, idle, waiting, stopped, …), worktree") { json, noHeaders };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var views = Crew().List();
            if (pr.GetValue(json)) { JsonOut.Write(v.Env, views.Select(HookJson.From).ToList(), CliJsonContext.Default.ListHookJson); return 0; }
            if (views.Count == 0) { v.Out.WriteLine("no crew; add one with 'orc crew add NAME --rig RIG'"); return 0; }
            var table = new Table(new("AGENT"), new("RIG"), new("ITEM"), new("STATE"), new("WORKTREE", Text: true));
            foreach (var a in views) table.Add(a.Hook.Agent, a.Hook.Rig, a.Hook.Item ?? "-", Core.Agents.AgentStates.Spoken(a.State, a.ExitStatus),
                TerminalText.Line(a.Hook.Worktree));
            v.Print(table, pr.GetValue(noHeaders));
            return 0;
        });
        crew.Add(list);

        var startName = Name();
        var start = new Command("start", "Start a crew member's agent in its tmux window, in its worktree (nothing changes if it runs)") { startName };
        start.SetAction(pr =>
        {
            var v = new Verb(services);
            var (h, started) = Crew().Start(pr.GetValue(startName)!);
            v.Out.WriteLine(started
                ? $"started {h.Agent} on rig {h.Rig} ({h.Profile}){(h.Item is null ? "" : $" on {h.Item}")}" : $"{h.Agent} is already running");
            v.Out.WriteLine($"go there: orc crew attach {h.Agent}");
            return 0;
        });
        crew.Add(start);

        var stopName = Name();
        var stop = new Command("stop", "Stop a crew member's agent; its worktree and hook stay (an item it holds is suspended)") { stopName };
        stop.SetAction(pr =>
        {
            var v = new Verb(services);
            var (h, stopped) = Crew().Stop(pr.GetValue(stopName)!);
            v.Out.WriteLine(stopped ? $"stopped {h.Agent}; its worktree stays (orc crew start {h.Agent})" : $"{h.Agent} was not running");
            return 0;
        });
        crew.Add(stop);

        var attachName = Name();
        var attach = new Command("attach", "Go to a crew member's tmux window (as 'orc attach': F12 comes back)") { attachName };
        attach.SetAction(pr => AgentCommands.Attach(services, Crew().Running(pr.GetValue(attachName)!).Agent));
        crew.Add(attach);

        var releaseName = Name();
        var release = new Command("release",
            "Take the item a crew member holds off it (back to ready); it is idle again, its worktree as it is") { releaseName };
        release.SetAction(pr =>
        {
            var v = new Verb(services);
            var name = pr.GetValue(releaseName)!;
            var item = Crew().Release(name);
            v.Out.WriteLine(item is null ? $"{name} holds no item" : $"released {name} from {item}; it is idle");
            return 0;
        });
        crew.Add(release);

        var removeName = Name();
        var remove = new Command("remove",
            "Remove a crew member and its worktree (refused while it runs, holds work, or has uncommitted changes); its branches stay") { removeName };
        remove.SetAction(pr =>
        {
            var v = new Verb(services);
            var h = Crew().Remove(pr.GetValue(removeName)!);
            v.Out.WriteLine($"removed crew member {h.Agent}; worktree {h.Worktree} is gone, its branches are kept");
            return 0;
        });
        crew.Add(remove);
        return crew;
    }
}
