using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Cli.Commands;
using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Cli;

/// <summary>The orc command line: builds the verb tree, runs one invocation, maps errors to exit codes.</summary>
public static class OrcCli
{
    public static int Run(string[] args, CliEnvironment env)
    {
        using var services = Composition.Build(env);
        var root = BuildRoot(services);
        var parse = root.Parse(args, Parser);
        var config = new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count > 0 && !IsHelpOrVersion(parse))
        {
            foreach (var e in parse.Errors.Take(3))
                env.Error.WriteLine($"orc: {TerminalText.Line(e.Message)}");
            env.Error.WriteLine($"orc: see '{CommandPath(parse)} --help'");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(config);
        }
        catch (OrcException ex)
        {
            env.Error.WriteLine($"orc: error: {TerminalText.Line(ex.Message)}");
            return ex.ExitCode;
        }
        catch (Exception ex)
        {
            services.GetService<ILoggerFactory>()?.CreateLogger("orc").LogError(ex, "internal error running {Args}", string.Join(' ', args));
            return CrashHandler.Report(env, args, ex, env.Error);
        }
    }

    /// <summary>
    /// How arguments are parsed: every argument is data. "@name" is not read as a response file
    /// (a title such as "@/etc/passwd" stays that text, and is never a way to read a file).
    /// </summary>
    public static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    private static bool IsHelpOrVersion(ParseResult parse) =>
        parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version");

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command is RootCommand ? "orc" : r.Command.Name);
        return string.Join(' ', names);
    }

    public static RootCommand BuildRoot(IServiceProvider services)
    {
        var root = new RootCommand(
            "orc: run a fleet of AI coding agents on many git repositories, with every piece of state in git.\n" +
            "Work items live in a git-backed ledger (Beads-compatible JSONL); find the workspace from the\n" +
            "current directory or ORC_WORKSPACE. Exit codes: 0 ok, 1 failure, 2 usage, 3 not found,\n" +
            "4 no workspace, 5 workspace busy.");
        root.Add(InitCommand.Build(services));
        root.Add(ItemCommands.Build(services));
        foreach (var c in QueryCommands.Build(services)) root.Add(c);
        foreach (var c in TransferCommands.Build(services)) root.Add(c);
        root.Add(RigCommands.Build(services));
        foreach (var c in AgentCommands.Build(services)) root.Add(c);
        root.Add(CrewCommands.Build(services));
        root.Add(MayorCommands.Build(services));
        foreach (var c in ServiceCommands.Build(services)) root.Add(c);
        root.Add(MailCommands.Build(services));
        foreach (var c in ConvoyCommands.Build(services)) root.Add(c);
        foreach (var c in FormulaCommands.Build(services)) root.Add(c);
        root.Add(LearnCommands.Build(services));
        foreach (var c in HandoffCommands.Build(services)) root.Add(c);
        root.Add(TuiCommand.Build(services, root));
        root.Add(TuiCommand.Layout);
        root.Add(TuiCommand.Theme);
        root.Add(TuiCommand.Sixteen);
        root.Add(DemoCommand.Build(services));
        root.Add(ConfigCommands.Build(services));
        root.Add(CompletionCommand.Build(services));
        root.Add(DoctorCommand.Build(services));
        root.Add(BatchCommand.Build(services, root));
        root.SetAction(pr =>
        {
            // With no verb: the TUI inside a workspace (on a terminal), else the help.
            var env = services.GetRequiredService<CliEnvironment>();
            if (services.GetRequiredService<Orchestrator.Services.Workspace.WorkspaceContext>().TryPaths is not null && !Console.IsInputRedirected && !Console.IsOutputRedirected && env.RawOut is not null)
                return TuiCommand.Run(services, root, pr.GetValue(TuiCommand.Layout), pr.GetValue(TuiCommand.Theme), pr.GetValue(TuiCommand.Sixteen));
            return root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = env.Out });
        });
        CompletionCommand.AddWorkspaceSources(root, services);
        return root;
    }
}
