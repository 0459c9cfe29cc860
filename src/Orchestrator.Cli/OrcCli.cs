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
        if (args is ["--version"])
        {
            // The cheapest call there is: no services, no command tree (the same line System.CommandLine prints).
            env.Out.WriteLine(Version);
            return ExitCodes.Ok;
        }
        using var services = Composition.Build(env);
        var root = BuildRoot(services, args);
        var parse = root.Parse(args, Parser);
        if (env.CommandLineBytes is { } commandLine && CommandLineText.FirstNotUtf8(args, commandLine) is { } bad)
        {
            // Checked before anything runs: nothing is stored with U+FFFD in place of the bytes given.
            var where = bad.Byte is { } b
                ? $"argument {bad.Index + 1}, byte {b}" : $"argument {bad.Index + 1}; it holds U+FFFD, which is what bytes that are not UTF-8 become";
            env.Error.WriteLine($"orc: error: {ArgumentName(parse, args, bad.Index)}: is not valid UTF-8 ({where}); nothing was done");
            return ExitCodes.Usage;
        }
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

    /// <summary>This orc's version: the informational version of its assembly (version+commit).</summary>
    public static string Version =>
        typeof(OrcCli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute),
            false) is [System.Reflection.AssemblyInformationalVersionAttribute v, ..]
            ? v.InformationalVersion
            : typeof(OrcCli).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// How arguments are parsed: every argument is data. "@name" is not read as a response file
    /// (a title such as "@/etc/passwd" stays that text, and is never a way to read a file).
    /// </summary>
    public static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    /// <summary>What argument <paramref name="index"/> is to the user: its option (--description), its argument (TITLE), else its position.</summary>
    private static string ArgumentName(ParseResult parse, string[] args, int index)
    {
        var arg = args[index];
        var stack = new Stack<System.CommandLine.Parsing.SymbolResult>([parse.RootCommandResult]);
        while (stack.TryPop(out var result))
        {
            if (result is System.CommandLine.Parsing.OptionResult o && o.Tokens.Any(t => t.Value == arg)) return o.Option.Name;
            if (result is System.CommandLine.Parsing.ArgumentResult a && a.Tokens.Any(t => t.Value == arg)) return a.Argument.Name;
            if (result is System.CommandLine.Parsing.CommandResult c) foreach (var child in c.Children) stack.Push(child);
        }
        if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var eq) return TerminalText.Line(arg[..eq]); // --notes=VALUE
        return $"argument {index + 1}"; // an unknown option, or a word the parser did not place
    }

    private static bool IsHelpOrVersion(ParseResult parse) =>
        parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version");

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command is RootCommand ? "orc" : r.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>
    /// The verbs, grouped as their builders make them, by name. A call that names one of these
    /// verbs first builds only its group (an agent's <c>orc hook</c> does not build 150 other
    /// commands); help for the whole CLI, completion, batch, the TUI and anything unknown build
    /// them all. <c>VerbGroupsTests</c> checks these names against what the builders make.
    /// </summary>
    internal static readonly (string[] Names, Func<IServiceProvider, IEnumerable<Command>> Build)[] VerbGroups =
    [
        (["init"], s => [InitCommand.Build(s)]),
        (["item"], s => [ItemCommands.Build(s)]),
        (["ready", "blocked", "stats"], QueryCommands.Build),
        (["import", "export", "merge-driver"], TransferCommands.Build),
        (["rig"], s => [RigCommands.Build(s)]),
        (["sling", "dispatch", "agents", "nudge", "peek", "attach", "kill", "resume", "unsling", "up", "down", "cleanup", "prime", "hook", "done", "sim-agent"],
            AgentCommands.Build),
        (["crew"], s => [CrewCommands.Build(s)]),
        (["mayor"], s => [MayorCommands.Build(s)]),
        (["mq", "refinery", "witness", "deacon", "boot", "dog", "feed", "status"], ServiceCommands.Build),
        (["review"], s => [ReviewCommands.Build(s)]),
        (["mail"], s => [MailCommands.Build(s)]),
        (["convoy", "plan"], ConvoyCommands.Build),
        (["formula", "pour", "wisp", "mol"], FormulaCommands.Build),
        (["learn"], s => [LearnCommands.Build(s)]),
        (["handoff", "handoff-restart", "history"], HandoffCommands.Build),
        (["demo"], s => [DemoCommand.Build(s)]),
        (["config"], s => [ConfigCommands.Build(s)]),
        (["doctor"], s => [DoctorCommand.Build(s)]),
    ];

    /// <summary>
    /// The command tree: every verb, or with <paramref name="args"/> naming a verb of
    /// <see cref="VerbGroups"/> first, only that verb's group (it parses and runs that verb the same).
    /// </summary>
    public static RootCommand BuildRoot(IServiceProvider services, IReadOnlyList<string>? args = null)
    {
        var root = new RootCommand(
            "orc: run a fleet of AI coding agents on many git repositories, with every piece of state in git.\n" +
            "Work items live in a git-backed ledger (Beads-compatible JSONL); find the workspace from the\n" +
            "current directory or ORC_WORKSPACE. Exit codes: 0 ok, 1 failure, 2 usage, 3 not found,\n" +
            "4 no workspace, 5 workspace busy.");
        if (args is [var first, ..] && Array.FindIndex(VerbGroups, g => g.Names.Contains(first, StringComparer.Ordinal)) is >= 0 and var one)
        {
            foreach (var c in VerbGroups[one].Build(services)) root.Add(c);
            CompletionCommand.AddWorkspaceSources(root, services);
            MarkOptionalArguments(root);
            return root;
        }
        // The order of the help: the groups up to the TUI, the TUI, then demo, config, completion, doctor, batch.
        foreach (var (names, build) in VerbGroups)
        {
            if (names[0] == "demo")
            {
                root.Add(TuiCommand.Build(services, root));
                root.Add(TuiCommand.Layout);
                root.Add(TuiCommand.Theme);
                root.Add(TuiCommand.Sixteen);
            }
            if (names[0] == "doctor") root.Add(CompletionCommand.Build(services));
            foreach (var c in build(services)) root.Add(c);
        }
        root.Add(BatchCommand.Build(services, root));
        root.SetAction(pr =>
        {
            // With no verb: the TUI inside a workspace (on a terminal), else the help.
            var env = services.GetRequiredService<CliEnvironment>();
            if (services.GetRequiredService<Orchestrator.Services.Workspace.WorkspaceContext>().TryPaths is not null && !Console.IsInputRedirected
                && !Console.IsOutputRedirected && env.RawOut is not null)
                return TuiCommand.Run(services, root, pr.GetValue(TuiCommand.Layout), pr.GetValue(TuiCommand.Theme), pr.GetValue(TuiCommand.Sixteen));
            return root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = env.Out });
        });
        CompletionCommand.AddWorkspaceSources(root, services);
        MarkOptionalArguments(root);
        return root;
    }

    /// <summary>
    /// The help's Arguments section shows an argument that may be left out in brackets, as its
    /// Usage line does (<c>[&lt;DIR&gt;]</c>), so that <c>orc init --help</c> does not read as if DIR were required.
    /// </summary>
    private static void MarkOptionalArguments(RootCommand root)
    {
        if (root.Options.OfType<System.CommandLine.Help.HelpOption>().FirstOrDefault() is { Action: System.CommandLine.Help.HelpAction inner } help)
            help.Action = new BracketedHelp(inner);
    }

    private sealed class BracketedHelp(System.CommandLine.Help.HelpAction inner) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var config = parseResult.InvocationConfiguration;
            var output = config.Output;
            var text = new StringWriter();
            config.Output = text;
            int code;
            try { code = inner.Invoke(parseResult); }
            finally { config.Output = output; }
            output.Write(HelpText.BracketOptionalArguments(text.ToString(), parseResult.CommandResult.Command));
            return code;
        }
    }

    /// <summary>True when the argument may be left out on the command line (no value needed, or it has a default).</summary>
    public static bool IsOptional(Argument a) => a.Arity.MinimumNumberOfValues == 0 || a.HasDefaultValue;
}
