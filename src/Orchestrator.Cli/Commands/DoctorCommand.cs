using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Core.Text;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;
using static Orchestrator.Services.Workspace.DoctorService;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc doctor [--fix] [--json]</c>.</summary>
internal static class DoctorCommand
{
    public static Command Build(IServiceProvider services)
    {
        var fix = new Option<bool>("--fix") { Description = "Fix the safe problems: prune worktree records, remove stale git locks, chmod the tmux socket folder, register the merge driver" };
        var json = Options.Json();
        var cmd = new Command("doctor", "Check git, tmux, the socket folder, the agents' programs, worktrees, git locks, the ledger and the workspace's git; exit 0 when healthy, 1 when problems remain") { fix, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var runtime = services.GetRequiredService<RuntimeContext>();
            var driver = string.Join(' ', runtime.SelfArgv.Select(SelfCommand.ShellQuote)) + " merge-driver %O %A %B %P";
            var found = services.GetRequiredService<DoctorService>().Run(pr.GetValue(fix), driver);
            var healthy = found.All(f => f.Status != Status.Problem);
            if (pr.GetValue(json))
            {
                JsonOut.Write(v.Env, w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("healthy", healthy);
                    w.WriteStartArray("checks");
                    foreach (var f in found)
                    {
                        w.WriteStartObject();
                        w.WriteString("check", f.Check);
                        w.WriteString("status", Name(f.Status));
                        w.WriteString("message", f.Message);
                        if (f.Fix is not null) w.WriteString("fix", f.Fix);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return healthy ? 0 : 1;
            }
            foreach (var f in found)
            {
                var line = f.Status switch
                {
                    Status.Problem => $"problem  {f.Check}: {f.Message}; fix: {f.Fix}",
                    Status.Fixed => $"fixed    {f.Check}: {f.Message}",
                    Status.Skipped => $"skipped  {f.Check}: {f.Message}",
                    _ => $"ok       {f.Check}: {f.Message}",
                };
                v.Out.WriteLine(TerminalText.Line(line));
            }
            var problems = found.Count(f => f.Status == Status.Problem);
            v.Out.WriteLine(healthy ? "healthy" : $"{problems} problem(s){(pr.GetValue(fix) ? "" : "; 'orc doctor --fix' fixes the safe ones")}");
            return healthy ? 0 : 1;
        });
        return cmd;
    }

    private static string Name(Status s) => s switch
    {
        Status.Problem => "problem",
        Status.Fixed => "fixed",
        Status.Skipped => "skipped",
        _ => "ok",
    };
}
