using System.CommandLine;
using System.CommandLine.Completions;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Items;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Cli.Commands;

/// <summary>
/// <c>orc completion bash|zsh|fish</c>: a script that asks orc itself for candidates through
/// System.CommandLine's <c>[suggest:POSITION]</c> directive, so verbs and options always match this
/// orc; item ids, agent, rig and profile names are completed from the workspace.
/// </summary>
internal static class CompletionCommand
{
    public static readonly string[] Shells = ["bash", "zsh", "fish"];

    public static Command Build(IServiceProvider services)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong(Shells);
        var cmd = new Command("completion", "Print the shell completion script (bash, zsh or fish); see docs/configuration.md to install it") { shell };
        cmd.SetAction(pr =>
        {
            services.GetRequiredService<CliEnvironment>().Out.Write(Script(pr.GetValue(shell)!));
            return 0;
        });
        return cmd;
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => """
            # orc completion for bash: eval "$(orc completion bash)" (e.g. in ~/.bashrc)
            _orc_complete() {
                local line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
                local IFS=$'\n'
                mapfile -t COMPREPLY < <(orc "[suggest:${#line}]" "$line" 2>/dev/null)
                return 0
            }
            complete -o default -F _orc_complete orc

            """,
        "zsh" => """
            #compdef orc
            # orc completion for zsh: eval "$(orc completion zsh)" after compinit (e.g. in ~/.zshrc)
            _orc() {
                local line="${(j: :)words[1,CURRENT]}"
                local -a candidates
                candidates=("${(@f)$(orc "[suggest:${#line}]" "$line" 2>/dev/null)}")
                candidates=(${candidates:#})
                compadd -Q -- "${candidates[@]}"
            }
            compdef _orc orc

            """,
        "fish" => """
            # orc completion for fish: orc completion fish > ~/.config/fish/completions/orc.fish
            function __orc_complete
                set -l line (commandline -cp)
                orc "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
            end
            complete -c orc -f -a '(__orc_complete)'

            """,
        _ => throw new ArgumentOutOfRangeException(nameof(shell)),
    };

    /// <summary>
    /// Adds candidates from the workspace to every argument and option that names an item, an agent,
    /// a rig or a profile (by their names: ID, ITEM, AGENT, RIG, --agent, --rig, --profile...).
    /// Candidates never fail: without a workspace there are none.
    /// </summary>
    public static void AddWorkspaceSources(Command root, IServiceProvider services)
    {
        foreach (var c in Walk(root))
        {
            foreach (var a in c.Arguments)
                if (SourceFor(c, a.Name, services) is { } s)
                {
                    a.HelpName ??= a.Name; // else the help lists every candidate
                    a.CompletionSources.Add(s);
                }
            foreach (var o in c.Options)
                if (SourceFor(c, o.Name, services) is { } s)
                {
                    o.HelpName ??= o.Name.TrimStart('-');
                    o.CompletionSources.Add(s);
                }
        }
    }

    private static IEnumerable<Command> Walk(Command c) => new[] { c }.Concat(c.Subcommands.SelectMany(Walk));

    private static Func<CompletionContext, IEnumerable<CompletionItem>>? SourceFor(Command command, string name, IServiceProvider services)
    {
        Func<IEnumerable<string>>? names = name switch
        {
            "ID" or "ITEM" or "DEPENDS_ON" or "--parent" => () => ItemIds(services),
            "CONVOY" => () => Files(services, p => p.ConvoysDir, "*.json"),
            "AGENT" or "--agent" or "TO" => () => Files(services, p => p.AgentsDir, "*.json"),
            "RIG" or "--rig" => () => Files(services, p => p.RigSettingsDir, "*.yaml"),
            "NAME" when command.Name is "show" or "remove" && command.Parents.OfType<Command>().Any(p => p.Name == "rig") => () => Files(services,
                p => p.RigSettingsDir, "*.yaml"),
            "--profile" => () => Profiles(services),
            _ => null,
        };
        if (names is null) return null;
        return ctx =>
        {
            var word = ctx.WordToComplete;
            try
            {
                return names().Where(n => n.StartsWith(word, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                    .Select(n => new CompletionItem(n)).ToList();
            }
            catch (Exception e) when (e is Core.OrcException or IOException or UnauthorizedAccessException)
            {
                return [];
            }
        };
    }

    private static IEnumerable<string> ItemIds(IServiceProvider services)
    {
        if (services.GetRequiredService<WorkspaceContext>().TryPaths is null) return [];
        var doc = services.GetRequiredService<LedgerService>().ReadSummary();
        // Open items first would need a ranking the shells re-sort anyway; closed ones are still valid arguments.
        return doc.Items.Select(i => i.Id);
    }

    private static IEnumerable<string> Files(IServiceProvider services, Func<Adapters.Workspace.WorkspacePaths, string> dir, string pattern)
    {
        var paths = services.GetRequiredService<WorkspaceContext>().TryPaths;
        if (paths is null || !Directory.Exists(dir(paths))) return [];
        return Directory.EnumerateFiles(dir(paths), pattern).Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Where(n => Core.Names.IsValid(n));
    }

    private static IEnumerable<string> Profiles(IServiceProvider services)
    {
        if (services.GetRequiredService<WorkspaceContext>().TryPaths is null) return Adapters.Profiles.ProfileCatalog.ShippedNames;
        return services.GetRequiredService<RuntimeContext>().Profiles.All.Select(p => p.Name);
    }
}
