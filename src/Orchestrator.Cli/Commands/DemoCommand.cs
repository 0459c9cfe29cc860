using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Tmux;
using Orchestrator.Core;
using Orchestrator.Core.Text;
using Orchestrator.Services.Demo;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orc demo [--dir DIR] [--keep] [--no-attach]</c>: a throwaway workspace where sim agents run
/// the whole loop (see <see cref="DemoScenario"/>), shown in the TUI inside the workspace's own
/// tmux server; when the terminal comes back, everything is stopped and removed (unless --keep).
/// </summary>
internal static class DemoCommand
{
    /// <summary>An attach shorter than this, with the TUI gone, means the TUI did not stay open: the demo is left running.</summary>
    private static readonly TimeSpan TooShort = TimeSpan.FromSeconds(3);

    public static Command Build(IServiceProvider services)
    {
        var dir = new Option<string>("--dir") { Description = "Where to make the demo workspace (a new or empty directory; default: a new /tmp/orc-demo-XXXXXX)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the workspace when the demo ends (its tmux server is stopped either way)" };
        var noAttach = new Option<bool>("--no-attach") { Description = "Set it all up, print where and how to look, and leave it running (no TUI)" };
        var cmd = new Command("demo",
            "Watch the whole loop in a minute, with no AI CLI: a throwaway workspace with a small rig, an epic of dependent items and a convoy; " +
            "sim agents work in worktrees, one conflicts at the merge queue and is reworked, one crashes and is restarted; the TUI shows it in tmux. " +
            "Quit the TUI (or detach) to stop and remove it all.")
        { dir, keep, noAttach };
        cmd.SetAction(pr => Run(services, pr.GetValue(dir), pr.GetValue(keep), pr.GetValue(noAttach)));
        return cmd;
    }

    private static int Run(IServiceProvider services, string? dirOption, bool keep, bool noAttach)
    {
        var env = services.GetRequiredService<CliEnvironment>();
        var context = services.GetRequiredService<WorkspaceContext>();
        var self = services.GetRequiredService<RuntimeContext>().SelfArgv;
        TmuxServer.CheckVersion();

        string root;
        if (dirOption is null) root = Directory.CreateTempSubdirectory("orc-demo-").FullName;
        else
        {
            root = context.Resolve(dirOption);
            if (File.Exists(root) || (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()))
                throw new OrcException($"--dir: {TerminalText.Line(root)} is not a new or empty directory; the demo removes its directory when it ends",
                    ExitCodes.Usage);
            Directory.CreateDirectory(root);
        }

        // The demo's own services: every part of orc pointed at the new workspace, whatever the caller stands in.
        var demoEnv = env with
        {
            CurrentDirectory = root,
            Variable = k => k switch { "ORC_WORKSPACE" => root, "ORC_AGENT" => null, _ => env.Variable(k) },
        };
        using var demoServices = Composition.Build(demoEnv);
        var scenario = demoServices.GetRequiredService<DemoScenario>();
        using var stop = ServiceCommands.StopSignal(); // Ctrl-C during set-up: undo it, and say so
        var mergeDriver = SelfCommand.MergeDriver(self);
        DemoWorkspace demo;
        try
        {
            env.Out.WriteLine($"orc demo: setting up a throwaway workspace in {TerminalText.Line(root)} …");
            env.Out.Flush();
            demo = scenario.Start(root, mergeDriver, stop.Token);
        }
        catch (Exception)
        {
            var interrupted = stop.Token.IsCancellationRequested;
            var where = TearDown(scenario, root, keep);
            env.Error.WriteLine($"orc: demo {(interrupted ? "interrupted" : "failed")} during set-up: {where}");
            if (interrupted) return ExitCodes.Failure;
            throw;
        }

        var orc = string.Join(' ', self.Select(Sh));
        if (noAttach)
        {
            Describe(env.Out, demo, orc);
            return ExitCodes.Ok;
        }
        if (env.RawOut is null || Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            Describe(env.Out, demo, orc);
            env.Out.WriteLine("(no terminal to open the TUI in: the demo is left running)");
            return ExitCodes.Ok;
        }

        env.Out.WriteLine($"orc demo: opening the TUI in tmux (quit it, or detach with Ctrl-b d, to stop the demo{(keep ? "" : " and remove it")})");
        env.Out.Flush();
        scenario.StartTui(keep);
        var watch = Stopwatch.StartNew();
        // inside another tmux too: nested
        var attached = TmuxAttach.Attach(demoServices.GetRequiredService<RuntimeContext>().Tmux, "=" + DemoScenario.TuiSession);
        if (attached != 0 || (watch.Elapsed < TooShort && !scenario.TuiRunning()))
        {
            env.Error.WriteLine(attached != 0
                ? $"orc: could not open the TUI (tmux attach exited {attached}); the demo is left running"
                : "orc: the TUI closed at once; the demo is left running");
            Describe(env.Out, demo, orc);
            return ExitCodes.Ok;
        }
        env.Out.WriteLine("orc demo: " + TearDown(scenario, root, keep));
        return ExitCodes.Ok;
    }

    /// <summary>Stops the demo's tmux server and removes its directory (unless kept); says what it did and where anything was left.</summary>
    private static string TearDown(DemoScenario scenario, string root, bool keep)
    {
        string stopped;
        try
        {
            scenario.Stop();
            stopped = "stopped its tmux server";
        }
        catch (Exception e) when (e is OrcException or IOException or InvalidOperationException)
        {
            stopped = $"could not stop its tmux server ({TerminalText.Line(e.Message)}); stop it with 'ORC_WORKSPACE={Sh(root)} orc down'";
        }
        if (keep) return $"{stopped}; the workspace is kept in {TerminalText.Line(root)} ('ORC_WORKSPACE={Sh(root)} orc up' starts it again)";
        // A process the server just hung up on may write a last heartbeat or log line: look again a little later.
        Exception? error = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (attempt > 0) Thread.Sleep(200);
            try { Remove(root); error = null; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { error = e; continue; }
            Thread.Sleep(200);
            if (!Directory.Exists(root)) break; // and nothing wrote it again since
        }
        return error is null
            ? $"{stopped} and removed {TerminalText.Line(root)}"
            : $"{stopped}; could not remove {TerminalText.Line(root)} ({TerminalText.Line(error.Message)}): remove it by hand";
    }

    private static void Remove(string root)
    {
        if (!Directory.Exists(root)) return;
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            File.SetAttributes(f, FileAttributes.Normal); // git's objects are read-only
        Directory.Delete(root, recursive: true);
    }

    private static void Describe(TextWriter o, DemoWorkspace demo, string orc)
    {
        var root = TerminalText.Line(demo.Root);
        var ws = $"ORC_WORKSPACE={Sh(demo.Root)}";
        string Id(string part) => demo.Items[part];
        o.WriteLine($"orc demo: workspace {root}");
        o.WriteLine($"  rig {DemoScenario.Rig} (a small git repository made just now; its gate: sh check.sh), epic {demo.Epic} \"Checkout v2\" with {demo.Items.Count} items, convoy {DemoScenario.Convoy}");
        o.WriteLine($"  running on its own tmux server (tmux -L {demo.Socket}): boot, deacon, the refinery and witness of {DemoScenario.Rig}, and 'orc convoy launch {DemoScenario.Convoy} --max {DemoScenario.Max}'");
        o.WriteLine($"  sim agents do the work: {Id("model")} → {Id("api")} → {Id("ui")} one after another; {Id("guide")}'s agent crashes once and the witness restarts it;");
        o.WriteLine($"  {Id("notes")} waits for {Id("guide")} (a predicted conflict); {Id("payments")} conflicts with {Id("model")} at the merge queue and lands after rework.");
        o.WriteLine("  The convoy lands in about a minute.");
        o.WriteLine("look at it:");
        o.WriteLine($"  export {ws}");
        o.WriteLine($"  {orc}   # the TUI");
        o.WriteLine($"  {orc} agents   # the agents and what they do");
        o.WriteLine($"  {orc} convoy show {DemoScenario.Convoy}   # its progress; also: plan {DemoScenario.Convoy}, mq list --all, feed -f");
        o.WriteLine($"  tmux -L {demo.Socket} attach -t ={Orchestrator.Services.Patrol.ServiceLauncher.Session}   # the services' windows (Ctrl-b d comes back)");
        o.WriteLine("stop it and remove it:");
        o.WriteLine($"  {ws} {orc} down && rm -rf {Sh(demo.Root)}");
    }

    /// <summary>A word for a shell command line: as it is when it is plain, else single-quoted.</summary>
    private static string Sh(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "_-./=:@%+,".Contains(c)) ? s : SelfCommand.ShellQuote(TerminalText.Line(s));
}
