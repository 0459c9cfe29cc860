using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Processes;
using Orchestrator.Core;
using Orchestrator.Services.Workspace;
using Orchestrator.Tui;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc tui</c> (and <c>orc</c> with no verb inside a workspace): the full-screen view of the fleet.</summary>
internal static class TuiCommand
{
    public static readonly Option<string> Layout = new("--layout") { Description = "Layout to start with: overview, agents-wall, items-focus, or one of yours (layouts/NAME.yaml in the workspace or ~/.config/orc/)" };
    public static readonly Option<string> Theme = new("--theme") { Description = "Theme: dark, light, high-contrast, or one of yours (themes/NAME.yaml)" };
    public static readonly Option<bool> Sixteen = new("--16-colors") { Description = "Draw with the 16 ANSI colours only (also ORC_COLORS=16; chosen by itself on a terminal such as TERM=linux; ORC_COLORS=256 insists on more)" };

    /// <summary>
    /// Whether the TUI runs in this process. Off only in the published NativeAOT orc, which is
    /// compiled without Terminal.Gui (every call would pay for its size at start) and runs
    /// <see cref="TuiProgram"/>, published beside it, instead.
    /// </summary>
    [FeatureSwitchDefinition("Orchestrator.Cli.TuiInProcess")]
    internal static bool InProcess => !AppContext.TryGetSwitch("Orchestrator.Cli.TuiInProcess", out var on) || on;

    /// <summary>The program with the TUI in it, beside the published orc.</summary>
    internal const string TuiProgram = "orc-tui";

    public static Command Build(IServiceProvider services, RootCommand root)
    {
        var cmd = new Command("tui",
            "The full-screen view of the fleet: rigs and agents, items, live agent tiles, merge queue, mail, convoys, events (? in it lists the keys)")
        {
            Layout, Theme, Sixteen,
        };
        cmd.SetAction(pr => Run(services, root, pr.GetValue(Layout), pr.GetValue(Theme), pr.GetValue(Sixteen)));
        return cmd;
    }

    public static int Run(IServiceProvider services, RootCommand root, string? layout, string? theme, bool sixteen)
    {
        var env = services.GetRequiredService<CliEnvironment>();
        _ = services.GetRequiredService<WorkspaceContext>().Paths; // no workspace: the usual one-line error, before the screen is taken
        if (!InProcess)
        {
            var program = Path.Combine(AppContext.BaseDirectory, TuiProgram);
            if (!File.Exists(program))
                throw new OrcException($"the TUI is a second program, {TuiProgram}, published beside orc, and {program} is missing; publish orc again (README, Install) or keep {TuiProgram} next to orc");
            env.Out.Flush();
            env.Error.Flush();
            return ProcessImage.Replace(program, Environment.GetCommandLineArgs().Skip(1));
        }
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
            throw new OrcException("the TUI needs a terminal (standard input and output are not one); for scripts use 'orc status' or 'orc agents --json'",
                ExitCodes.Usage);
        var verbs = root.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? "")).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        return TuiApp.Run(services, new TuiOptions { Layout = layout, Theme = theme, Sixteen = sixteen, Verbs = verbs }, env.Variable);
    }
}
