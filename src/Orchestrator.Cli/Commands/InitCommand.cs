using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Profiles;
using Orchestrator.Core.Text;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Cli.Commands;

internal static class InitCommand
{
    public static Command Build(IServiceProvider services)
    {
        var dir = new Argument<string>("DIR") { Description = "Directory of the new workspace (default: the current directory)",
            Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string>("--prefix") { Description = "Id prefix of the workspace's own work items", DefaultValueFactory = _ => "hq" };
        var profileOption = new Option<string>("--profile") { Description = $"The default agent profile (default: the first of {string.Join(", ", ProfileCatalog.Preferred)} on PATH, else sim)" };
        var here = new Option<bool>("--here") { Description = "Make the workspace even though DIR is a git repository with commits of its own (orc's files are committed into it); without it such a directory is refused" };
        var cmd = new Command("init", "Make a workspace: a directory that is its own git repository, with .orc/config.yaml, the ledger, and room for mail, agents and logs. Re-running it on a workspace changes nothing; a directory that is already a git repository with commits is refused (unless --here): add it as a rig instead.")
        {
            dir, prefix, profileOption, here,
        };
        cmd.SetAction(pr =>
        {
            var env = services.GetRequiredService<CliEnvironment>();
            var context = services.GetRequiredService<WorkspaceContext>();
            var target = context.Resolve(pr.GetValue(dir) ?? ".");
            var chosen = pr.GetValue(profileOption);
            if (chosen is not null && !new ProfileCatalog([]).All.Any(p => p.Name == chosen))
                throw new Core.OrcException($"--profile: no shipped agent profile '{TerminalText.Line(chosen)}' (known: {string.Join(", ", new ProfileCatalog([]).All.Select(p => p.Name).Order())}); a profile of your own can be made the default later with 'orc config set default_profile NAME'", Core.ExitCodes.Usage);
            var found = chosen is null ? ProfileCatalog.Preferred.FirstOrDefault(c => ProfileCatalog.OnPath(c, context.Environment("PATH"))) : null;
            var profile = chosen ?? found ?? "sim";
            var result = services.GetRequiredService<WorkspaceInitializer>().Init(target, pr.GetValue(prefix)!,
                SelfCommand.MergeDriver(services.GetRequiredService<RuntimeContext>().SelfArgv), context.Actor, profile,
                intoExistingRepository: pr.GetValue(here));
            var where = TerminalText.Line(result.Paths.Root);
            if (!result.Created)
            {
                env.Out.WriteLine($"{where} is already an orc workspace; nothing changed");
                return 0;
            }
            env.Out.WriteLine($"initialised orc workspace in {where} (item prefix '{pr.GetValue(prefix)}')");
            env.Out.WriteLine(chosen is not null ? $"default agent profile: {chosen} (--profile)"
                : found is null
                ? $"default agent profile: sim (the built-in simulated agent; none of {string.Join(", ", ProfileCatalog.Preferred)} is on PATH)"
                : $"default agent profile: {found} (found on PATH)");
            env.Out.WriteLine($"next: cd {where} && orc item create \"My first task\"");
            return 0;
        });
        return cmd;
    }
}
