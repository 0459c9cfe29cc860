using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
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
        var fix = new Option<bool>("--fix") { Description = "Fix the safe problems: prune worktree records, point a worktree's broken .git file back at its record, remove stale git locks, chmod the tmux socket folder, register the merge driver" };
        var json = Options.Json();
        var cmd = new Command("doctor", "Check git, the git engine (libgit2, tried on every kind of operation orc does), tmux, the socket folder, the agents' programs, worktrees and the hooks' worktrees, git locks, the ledger and the workspace's git; exit 0 when healthy, 1 when problems remain") { fix, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var runtime = services.GetRequiredService<RuntimeContext>();
            var driver = SelfCommand.MergeDriver(runtime.SelfArgv);
            var found = services.GetRequiredService<DoctorService>().Run(pr.GetValue(fix), driver);
            var healthy = found.All(f => f.Status != Status.Problem);
            if (pr.GetValue(json))
            {
                JsonOut.Write(v.Env, new DoctorJson(healthy, found.Select(f => new DoctorCheckJson(f.Check, Name(f.Status), f.Message, f.Fix)).ToList()),
                    CliJsonContext.Default.DoctorJson);
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
            v.Out.WriteLine(healthy ? "healthy" : $"{Plural.Of(problems, "problem")}{(pr.GetValue(fix) ? "" : "; 'orc doctor --fix' fixes the safe ones")}");
            return healthy ? 0 : 1;
        });
        cmd.Add(GitEngine(services));
        cmd.Add(CrashTest());
        return cmd;
    }

    /// <summary>
    /// Hidden: <c>orc doctor git-engine</c> runs <see cref="Adapters.Git.GitEngineCheck"/>, printing
    /// "step NAME" before each step and "ok VERSION" at the end, so the doctor (its parent) can
    /// name the step even when a native call aborts this process.
    /// </summary>
    private static Command GitEngine(IServiceProvider services)
    {
        var cmd = new Command("git-engine", "Try every kind of git operation orc does (libgit2) in a throwaway folder") { Hidden = true };
        cmd.SetAction(_ =>
        {
            var v = new Verb(services);
            Adapters.Git.GitEngineCheck.Run(Path.GetTempPath(), step => { v.Out.WriteLine("step " + step); v.Out.Flush(); });
            v.Out.WriteLine("ok " + Adapters.Git.GitEngineCheck.Version);
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Hidden: <c>orc doctor crash-test [--thread]</c> fails on purpose, the way a bug would (an
    /// exception out of a verb, or with --thread out of another thread), to check that crash
    /// reports are written and readable with the binary at hand.
    /// </summary>
    private static Command CrashTest()
    {
        var thread = new Option<bool>("--thread") { Description = "Fail on another thread (an unhandled exception)" };
        var cmd = new Command("crash-test", "Crash on purpose, to check the crash report") { Hidden = true, Options = { thread } };
        cmd.SetAction(pr =>
        {
            if (!pr.GetValue(thread)) CrashOnPurpose();
            var t = new Thread(CrashOnPurpose);
            t.Start();
            t.Join();
            return 0;
        });
        return cmd;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CrashOnPurpose() => throw new InvalidOperationException("orc doctor crash-test: a crash on purpose");

    private static string Name(Status s) => s switch
    {
        Status.Problem => "problem",
        Status.Fixed => "fixed",
        Status.Skipped => "skipped",
        _ => "ok",
    };
}
