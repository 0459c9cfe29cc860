using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Adapters.Profiles;
using Orchestrator.Core.Text;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Cli.Commands;

internal static class InitCommand
{
    public static Command Build(IServiceProvider services)
    {
        var dir = new Argument<string>("DIR") { Description = "Directory of the new workspace (default: the current directory)", Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string>("--prefix") { Description = "Id prefix of the workspace's own work items", DefaultValueFactory = _ => "hq" };
        var cmd = new Command("init", "Make a workspace: a directory that is its own git repository, with .orc/config.yaml, the ledger, and room for mail, agents and logs. Re-running it on a workspace changes nothing.")
        {
            dir, prefix,
        };
        cmd.SetAction(pr =>
        {
            var env = services.GetRequiredService<CliEnvironment>();
            var context = services.GetRequiredService<WorkspaceContext>();
            var target = context.Resolve(pr.GetValue(dir) ?? ".");
            var found = ProfileCatalog.Preferred.FirstOrDefault(c => ProfileCatalog.OnPath(c, context.Environment("PATH")));
            var profile = found ?? "sim";
            var result = services.GetRequiredService<WorkspaceInitializer>().Init(target, pr.GetValue(prefix)!, SelfCommand.MergeDriver(), context.Actor, profile);
            var where = TerminalText.Line(result.Paths.Root);
            if (!result.Created)
            {
                env.Out.WriteLine($"{where} is already an orc workspace; nothing changed");
                return 0;
            }
            env.Out.WriteLine($"initialised orc workspace in {where} (item prefix '{pr.GetValue(prefix)}')");
            env.Out.WriteLine(found is null
                ? $"default agent profile: sim (the built-in simulated agent; none of {string.Join(", ", ProfileCatalog.Preferred)} is on PATH)"
                : $"default agent profile: {found} (found on PATH)");
            env.Out.WriteLine($"next: cd {where} && orc item create \"My first task\"");
            return 0;
        });
        return cmd;
    }
}
