using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc mayor start | restart | attach | stop | status</c>: the workspace's manager agent, the one the user talks to.</summary>
internal static class MayorCommands
{
    public static Command Build(IServiceProvider services)
    {
        var mayor = new Command("mayor", "The mayor: the manager agent you talk to; it splits your request into items, plans a convoy and launches it (one per workspace, window orc:mayor)");
        MayorService Mayor() => services.GetRequiredService<MayorService>();

        var profile = new Option<string>("--profile") { Description = "Agent profile (default: the one it had, else the workspace's)" };
        var start = new Command("start", "Start the mayor in its tmux window (once: nothing changes if it runs)") { profile };
        start.SetAction(pr =>
        {
            var v = new Verb(services);
            var (h, started) = Mayor().Start(pr.GetValue(profile));
            v.Out.WriteLine(started
                ? $"started the mayor ({h.Profile}) in window {MayorService.Session}:{MayorService.Name}" : $"the mayor is already running ({h.Profile})");
            v.Out.WriteLine("talk to it: orc mayor attach");
            return 0;
        });
        mayor.Add(start);

        var restartProfile = new Option<string>("--profile") { Description = "Agent profile (default: the one it has)" };
        var note = new Option<string>("--note") { Description = "What its fresh session should know (its orc prime shows it, as after a handoff)" };
        var restart = new Command("restart",
            "Start the mayor afresh (a new conversation; its mailbox and history stay), e.g. when its context is full or it is stuck") { restartProfile, note };
        restart.SetAction(pr =>
        {
            var v = new Verb(services);
            var h = Mayor().Restart(pr.GetValue(restartProfile), pr.GetValue(note));
            v.Out.WriteLine($"restarted the mayor ({h.Profile}) in window {MayorService.Session}:{MayorService.Name}{(pr.GetValue(note) is { Length: > 0 } ? "; its prime shows your note" : "")}");
            v.Out.WriteLine("talk to it: orc mayor attach");
            return 0;
        });
        mayor.Add(restart);

        var attach = new Command("attach", "Go to the mayor's tmux window (F12 comes back)");
        attach.SetAction(_ => AgentCommands.Attach(services, Mayor().Running().Agent));
        mayor.Add(attach);

        var stop = new Command("stop", "Stop the mayor; its mailbox and history stay for the next start");
        stop.SetAction(_ =>
        {
            var v = new Verb(services);
            v.Out.WriteLine(Mayor().Stop() ? "stopped the mayor ('orc mayor start' brings it back)" : "the mayor was not running");
            return 0;
        });
        mayor.Add(stop);

        var json = Options.Json();
        var status = new Command("status", "Whether the mayor runs, what it is doing, and its unread mail") { json };
        status.SetAction(pr =>
        {
            var v = new Verb(services);
            var s = Mayor().Status();
            if (pr.GetValue(json))
            {
                JsonOut.Write(v.Env, MayorJson.From(s), CliJsonContext.Default.MayorJson);
                return 0;
            }
            if (s.Hook is null) { v.Out.WriteLine("no mayor; start one with 'orc mayor start'"); return 0; }
            v.Out.WriteLine($"mayor: {s.State}{(s.Running ? "" : " (orc mayor start)")}, profile {s.Hook.Profile}, window {s.Hook.Rig}:{s.Hook.Agent}");
            v.Out.WriteLine($"  {s.Unread} unread message{(s.Unread == 1 ? "" : "s")} (orc mail inbox --as mayor)");
            return 0;
        });
        mayor.Add(status);
        return mayor;
    }
}
