using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Rigs;
using Orchestrator.Core.Text;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc rig add | list | show | set | unset | remove</c>.</summary>
internal static class RigCommands
{
    public static Command Build(IServiceProvider services)
    {
        var rig = new Command("rig", "Rigs: the git repositories this workspace manages (cloned or linked into rigs/NAME)");
        RigService Rigs() => services.GetRequiredService<RigService>();

        var name = new Argument<string>("NAME") { Description = "Rig name: lowercase letters, digits, - and _" };
        var source = new Argument<string>("SOURCE") { Description = "A local repository path or a git URL" };
        var link = new Option<bool>("--link") { Description = "Link the local repository instead of cloning it" };
        var prefix = new Option<string>("--prefix") { Description = "Id prefix of the rig's work items (default: from the name)" };
        var gate = new Option<string[]>("--gate") { Description = "Gate the refinery runs before merging: one command line (e.g. --gate \"dotnet test\"), run without a shell unless it uses shell syntax (&&, |, $VAR…)" };
        var profile = new Option<string>("--profile") { Description = "Agent profile for the rig's polecats" };
        var max = new Option<int?>("--max-polecats") { Description = "At most this many polecats at once (default 10)" };
        var land = new Option<string>("--land") { Description = "What a green gate does: auto (land on main, the default), review (wait for 'orc review approve') or pr (open a pull request)" };
        var add = new Command("add", "Add a rig: clone (or link) SOURCE into rigs/NAME") { name, source, link, prefix, gate, profile, max, land };
        add.SetAction(pr =>
        {
            var v = new Verb(services);
            var r = Rigs().Add(new RigService.AddRequest(pr.GetValue(name)!, pr.GetValue(source)!, pr.GetValue(link), pr.GetValue(prefix),
                pr.GetValue(gate) ?? [], pr.GetValue(profile), pr.GetValue(max), pr.GetValue(land)));
            v.Out.WriteLine($"added rig {r.Name} ({(r.Linked ? "linked" : "cloned")} from {TerminalText.Line(r.Source)}, branch {TerminalText.Line(r.DefaultBranch)}, item prefix '{r.Prefix}')");
            return 0;
        });
        rig.Add(add);

        var json = Options.Json();
        var noHeaders = Options.NoHeaders();
        var list = new Command("list", "List the rigs") { json, noHeaders };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var rigs = Rigs().List();
            if (pr.GetValue(json)) { JsonOut.Write(v.Env, rigs.Select(RigJson.From).ToList(), CliJsonContext.Default.ListRigJson); return 0; }
            if (rigs.Count == 0) { v.Out.WriteLine("no rigs; add one with 'orc rig add NAME SOURCE'"); return 0; }
            var table = new Table(new("RIG"), new("PREFIX"), new("BRANCH"), new("SOURCE", Text: true));
            foreach (var r in rigs) table.Add(r.Name, r.Prefix, TerminalText.Line(r.DefaultBranch),
                TerminalText.Line(r.Source) + (r.Linked ? " (linked)" : ""));
            v.Print(table, pr.GetValue(noHeaders));
            return 0;
        });
        rig.Add(list);

        var showName = new Argument<string>("NAME") { Description = "Rig name" };
        var showJson = Options.Json();
        var show = new Command("show", "Show a rig's settings") { showName, showJson };
        show.SetAction(pr =>
        {
            var v = new Verb(services);
            var r = Rigs().Get(pr.GetValue(showName)!);
            if (pr.GetValue(showJson)) { JsonOut.Write(v.Env, RigJson.From(r), CliJsonContext.Default.RigJson); return 0; }
            v.Out.WriteLine($"rig {r.Name}");
            v.Out.WriteLine($"  source: {TerminalText.Line(r.Source)}{(r.Linked ? " (linked)" : "")}");
            v.Out.WriteLine($"  prefix: {r.Prefix}");
            foreach (var key in RigSettings.Settable) v.Out.WriteLine($"  {key}: {TerminalText.Line(RigSettings.Show(r, key))}");
            return 0;
        });
        rig.Add(show);

        var setRig = new Argument<string>("RIG") { Description = "Rig name" };
        var setKey = new Argument<string>("KEY") { Description = "The setting: " + string.Join(", ", RigSettings.Settable) };
        var setValue = new Argument<string>("VALUE") { Description = "Its new value: a whole number, true or false, a branch, a profile, auto, review or pr for land, on or off for push, or for gate one command line (\"\" for none; run without a shell unless it uses shell syntax)" };
        var set = new Command("set", "Change one rig setting (committed to the workspace; services read it on their next pass)") { setRig, setKey, setValue };
        set.SetAction(pr =>
        {
            var v = new Verb(services);
            var key = pr.GetValue(setKey)!;
            var c = Rigs().Set(pr.GetValue(setRig)!, key, pr.GetValue(setValue)!);
            v.Out.WriteLine(Said(c, key));
            return 0;
        });
        rig.Add(set);

        var unsetRig = new Argument<string>("RIG") { Description = "Rig name" };
        var unsetKey = new Argument<string>("KEY") { Description = "The setting to put back to its default" };
        var unset = new Command("unset", "Put one rig setting back to its default (committed to the workspace)") { unsetRig, unsetKey };
        unset.SetAction(pr =>
        {
            var v = new Verb(services);
            var key = pr.GetValue(unsetKey)!;
            var c = Rigs().Unset(pr.GetValue(unsetRig)!, key);
            v.Out.WriteLine(Said(c, key));
            return 0;
        });
        rig.Add(unset);

        var rmName = new Argument<string>("NAME") { Description = "Rig name" };
        var remove = new Command("remove", "Remove a rig: its hooks are archived (their history stays), its worktrees and rigs/NAME go (a linked repository keeps everything but orc's worktrees); refused while its agents hold work or run, its merge queue has work, or a worktree has uncommitted changes") { rmName };
        remove.SetAction(pr =>
        {
            var v = new Verb(services);
            var r = Rigs().Remove(pr.GetValue(rmName)!);
            v.Out.WriteLine($"removed rig {r.Rig.Name}" + (r.Rig.Linked
                ? $" (unlinked: {TerminalText.Line(r.Rig.Source)} keeps its checkout, branches and own worktrees)" : ""));
            if (r.Archived.Count > 0) v.Out.WriteLine($"archived the hooks of {string.Join(", ", r.Archived)}");
            if (r.Worktrees.Count > 0) v.Out.WriteLine($"removed the worktrees {string.Join(", ", r.Worktrees.Select(TerminalText.Line))}");
            return 0;
        });
        rig.Add(remove);
        return rig;
    }

    private static string Said(RigService.Change c, string key)
    {
        var now = TerminalText.Line(RigSettings.Show(c.After, key));
        return c.Changed
            ? $"rig {c.After.Name}: {key} changed from '{TerminalText.Line(RigSettings.Show(c.Before, key))}' to '{now}'"
            : $"rig {c.After.Name}: {key} is already '{now}'; nothing changed";
    }
}
