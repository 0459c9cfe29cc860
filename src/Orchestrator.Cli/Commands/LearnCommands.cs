using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core.Knowledge;
using Orchestrator.Core.Text;
using Orchestrator.Services.Knowledge;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc learn</c>: short learnings kept in the workspace that <c>orc prime</c> passes to the agents they concern.</summary>
internal static class LearnCommands
{
    public static Command Build(IServiceProvider services)
    {
        LearningService Learnings() => services.GetRequiredService<LearningService>();
        var learn = new Command("learn",
            "Learnings: short lessons kept in the workspace (for everyone, a rig or a role); 'orc prime' gives each agent the relevant ones");

        var text = new Argument<string>("TEXT") { Description = $"The lesson, one line of at most {LearningRules.MaxTextLength} characters" };
        var rig = new Option<string>("--rig", "-r") { Description = "Only for agents on this rig (default: the whole workspace)" };
        var role = new Option<string>("--role") { Description = $"Only for agents of this role ({string.Join(", ", LearningRules.KnownRoles)})" };
        var tags = new Option<string[]>("--tag", "-t") { Description = "A tag (repeat, or separate with commas); a tag naming a label, word or file of an agent's item puts the learning first in its prime" };
        var addJson = Options.Json();
        var add = new Command("add", "Record a learning (committed to the workspace)") { text, rig, role, tags, addJson };
        add.SetAction(pr =>
        {
            var v = new Verb(services);
            var l = Learnings().Add(pr.GetValue(text)!, pr.GetValue(rig), pr.GetValue(role), Options.SplitList(pr.GetValue(tags)));
            if (pr.GetValue(addJson)) { JsonOut.Write(v.Env, LearningJson.From(l), CliJsonContext.Default.LearningJson); return 0; }
            v.Out.WriteLine($"learnt {l.Id} ({l.Scope}): {TerminalText.Line(l.Text)}");
            return 0;
        });
        learn.Add(add);

        var listRig = new Option<string>("--rig", "-r") { Description = "What an agent on this rig sees: the workspace's learnings and the rig's" };
        var listRole = new Option<string>("--role") { Description = "What an agent of this role sees: the general learnings and the role's" };
        var listTag = new Option<string>("--tag", "-t") { Description = "Only learnings with this tag" };
        var listJson = Options.Json();
        var list = new Command("list", "The learnings, newest first (unreadable lines of learnings/learnings.jsonl are reported, and kept)") { listRig,
            listRole, listTag, listJson };
        list.SetAction(pr =>
        {
            var v = new Verb(services);
            var svc = Learnings();
            foreach (var e in svc.Read().Errors.Take(5))
                v.Env.Error.WriteLine($"orc: warning: learnings/learnings.jsonl:{e.Line}: {TerminalText.Line(e.Message)} (line kept as it is)");
            var all = svc.List(pr.GetValue(listRig), pr.GetValue(listRole), pr.GetValue(listTag));
            if (pr.GetValue(listJson)) { JsonOut.Write(v.Env, all.Select(l => LearningJson.From(l)).ToList(),
                CliJsonContext.Default.ListLearningJson); return 0; }
            if (all.Count == 0) { v.Out.WriteLine("no learnings; record one with 'orc learn add \"TEXT\" [--rig R]'"); return 0; }
            foreach (var l in all)
            {
                var extra = new List<string>();
                if (l.Tags.Count > 0) extra.Add("tags " + string.Join(",", l.Tags.Select(TerminalText.Line)));
                if (l.Source is { } s) extra.Add("from " + TerminalText.Line(s));
                v.Out.WriteLine($"{l.Id}  {Clip(l.Scope, 22),-22} {TerminalText.Line(l.Text)}{(extra.Count > 0 ? "  (" + string.Join("; ", extra) + ")" : "")}");
            }
            return 0;
        });
        learn.Add(list);

        var ids = new Argument<string[]>("ID") { Description = "One or more learning ids (ln-…)", Arity = ArgumentArity.OneOrMore };
        var remove = new Command("remove", "Forget learnings (the change is committed; git keeps the old text)") { ids };
        remove.SetAction(pr =>
        {
            var v = new Verb(services);
            foreach (var l in Learnings().Remove(pr.GetValue(ids)!))
                v.Out.WriteLine($"removed {l.Id}: {TerminalText.Line(l.Text)}");
            return 0;
        });
        learn.Add(remove);

        var convoy = new Argument<string>("CONVOY") { Description = "A landed convoy" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only show what would be learnt" };
        var fromJson = Options.Json();
        var from = new Command("from-convoy", "Turn what a landed convoy went through into learnings for its rigs (conflicts met and their files, gate failures, reviews, done notes) and for the mayor (what its score says about the split)")
        { convoy, dryRun, fromJson };
        from.SetAction(pr =>
        {
            var v = new Verb(services);
            var dry = pr.GetValue(dryRun);
            var result = Learnings().FromConvoy(pr.GetValue(convoy)!, dry);
            if (pr.GetValue(fromJson))
            {
                JsonOut.Write(v.Env, result.Select(r => LearningJson.From(r.Learning, r.AlreadyKnown ? "known" : dry ? "proposed" : "added")).ToList(),
                    CliJsonContext.Default.ListLearningJson);
                return 0;
            }
            if (result.Count == 0) { v.Out.WriteLine($"convoy {pr.GetValue(convoy)} taught nothing to record: no conflicts, gate failures, reviews or done notes"); return 0; }
            foreach (var r in result)
                v.Out.WriteLine($"{(r.AlreadyKnown ? "known   " : dry ? "would add" : "added " + r.Learning.Id)}  [{r.Learning.Scope}] {TerminalText.Line(r.Learning.Text)}");
            var fresh = result.Count(r => !r.AlreadyKnown);
            v.Out.WriteLine(dry
                ? $"{fresh} new learning{(fresh == 1 ? "" : "s")} would be added; run without --dry-run to add them"
                : $"{fresh} learning{(fresh == 1 ? "" : "s")} added; remove any you do not want with 'orc learn remove ID'");
            return 0;
        });
        learn.Add(from);
        return learn;
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
