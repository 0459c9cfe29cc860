using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using Orchestrator.Cli.Output;
using Orchestrator.Cli.Output.Json;
using Orchestrator.Core;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Items;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orc item …</c>: create, list, show, update, close, reopen, comment, label, dep.</summary>
internal static class ItemCommands
{
    public static Command Build(IServiceProvider services)
    {
        var item = new Command("item", "Work items (beads): the unit of work, kept in the workspace's git-backed ledger");
        item.Add(Create(services));
        item.Add(List(services));
        item.Add(Show(services));
        item.Add(Update(services));
        item.Add(Close(services));
        item.Add(Reopen(services));
        item.Add(Delete(services));
        item.Add(Search(services));
        item.Add(CloseEligible(services));
        item.Add(Link(services, "duplicate", "--of", "Close a work item as a duplicate of another (a 'duplicates' link to it)",
            "The item it duplicates", (ops, id, other) => ops.MarkDuplicate(id, other)));
        item.Add(Link(services, "supersede", "--by", "Close a work item as replaced by another (a 'superseded-by' link to it)",
            "The item that replaces it", (ops, id, other) => ops.MarkSuperseded(id, other)));
        item.Add(CommentCmd(services));
        item.Add(Label(services));
        item.Add(DepCommands.Build(services));
        return item;
    }

    private static Command Create(IServiceProvider services)
    {
        var title = new Argument<string>("TITLE") { Description = "One line saying what is to be done (at most 500 characters)" };
        var description = new Option<string>("--description", "-d") { Description = "Longer description ('-' reads standard input)" };
        var design = new Option<string>("--design") { Description = "Design notes" };
        var acceptance = new Option<string>("--acceptance") { Description = "Acceptance criteria: how to tell it is done" };
        var notes = new Option<string>("--notes") { Description = "Free notes" };
        var type = new Option<string>("--type", "-t") { Description = "task (default), bug, feature, epic, chore, or another word" };
        var priority = new Option<string>("--priority", "-p") { Description = "0-4 or P0-P4, 0 most urgent (default 2)" };
        var assignee = new Option<string>("--assignee", "-a") { Description = "Who works on it" };
        var owner = new Option<string>("--owner") { Description = "Who answers for it" };
        var labels = Options.Labels();
        var parent = new Option<string>("--parent") { Description = "Make it a child of this epic (id becomes PARENT.N)" };
        var deps = new Option<string[]>("--deps", "--blocked-by") { Description = "Items this one waits for (blocks dependencies; repeat or comma-separate)" };
        var discovered = new Option<string>("--discovered-from") { Description = "The item whose work revealed this one" };
        var defer = new Option<string>("--defer-until") { Description = "Not ready before this date (2026-12-01, or +3d, +12h)" };
        var externalRef = new Option<string>("--external-ref") { Description = "A reference elsewhere (gh-123, a URL)" };
        var files = new Option<string[]>("--file") { Description = "A file or folder the item expects to own (repeat)" };
        var prefix = new Option<string>("--prefix") { Description = "Id prefix to use instead of the workspace's" };
        var json = Options.Json();
        var quiet = new Option<bool>("--quiet") { Description = "Print only the new item's id, for a script: id=$(orc item create TITLE --quiet)" };
        var cmd = new Command("create", "Create a work item and print its id")
        {
            title, description, design, acceptance, notes, type, priority, assignee, owner, labels, parent, deps, discovered, defer, externalRef, files, prefix,
                json, quiet,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var request = new CreateItemRequest
            {
                Title = pr.GetValue(title)!,
                Description = v.Env.TextOrStdin(pr.GetValue(description)),
                Design = pr.GetValue(design),
                AcceptanceCriteria = pr.GetValue(acceptance),
                Notes = pr.GetValue(notes),
                Type = pr.GetValue(type),
                Priority = pr.GetValue(priority),
                Assignee = pr.GetValue(assignee),
                Owner = pr.GetValue(owner),
                Labels = Options.SplitList(pr.GetValue(labels)),
                Files = pr.GetValue(files) ?? [],
                ParentId = pr.GetValue(parent),
                BlockedBy = Options.SplitList(pr.GetValue(deps)),
                DiscoveredFrom = pr.GetValue(discovered),
                DeferUntil = pr.GetValue(defer),
                ExternalRef = pr.GetValue(externalRef),
                Prefix = pr.GetValue(prefix),
            };
            WorkItemRules.Check(request, v.Context.Now, Options.Named); // before the lock: input over a limit never holds it
            var created = v.Mutate("create", ops => ops.Create(request)).Value;
            if (pr.GetValue(json)) JsonOut.Item(v.Env, created);
            else if (pr.GetValue(quiet)) v.Out.WriteLine(created.Id);
            else v.Out.WriteLine($"created {created.Id}: {TerminalText.Line(created.Title)}");
            return 0;
        });
        return cmd;
    }

    private static Command List(IServiceProvider services)
    {
        var status = new Option<string[]>("--status", "-s") { Description = "Only these statuses (repeat or comma-separate)" };
        var type = new Option<string>("--type", "-t") { Description = "Only this type" };
        var assignee = new Option<string>("--assignee", "-a") { Description = "Only items assigned to this name ('none' for unassigned)" };
        var labels = Options.Labels();
        labels.Description = "Only items with this label (repeat: all must match)";
        var priority = new Option<string>("--priority", "-p") { Description = "Only this priority (0-4)" };
        var text = new Option<string>("--text",
            "-q") { Description = "Only items whose id, title, assignee, labels, description or notes contain this (case-insensitive)" };
        var all = new Option<bool>("--all") { Description = "Include closed items (by default they are left out)" };
        var limit = new Option<int?>("--limit", "-n") { Description = "At most this many" };
        var json = Options.Json();
        var cmd = new Command("list", "List work items, filtered")
        {
            status, type, assignee, labels, priority, text, all, limit, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var query = new ItemQuery
            {
                Statuses = Options.SplitList(pr.GetValue(status)).Select(s => s == Statuses.Tombstone ? s : WorkItemRules.Status(s,
                    "--status")).Distinct().ToList(),
                Priority = pr.GetValue(priority) is { } ps ? WorkItemRules.Priority(ps, "--priority") : null,
                Type = pr.GetValue(type),
                Assignee = pr.GetValue(assignee),
                Labels = Options.SplitList(pr.GetValue(labels)),
                Words = pr.GetValue(text) is { } q ? [q] : [],
                All = pr.GetValue(all),
            };
            var n = pr.GetValue(limit);
            if (n is < 0) throw new OrcException("--limit: must be 0 or more", ExitCodes.Usage);
            var ledger = v.Read();
            var items = ledger.Sorted().Where(i => query.Matches(i, isReady: false, isBlocked: false, rig: null)).ToList();
            if (n is { } max) items = items.Take(max).ToList();
            if (pr.GetValue(json)) JsonOut.Items(v.Env, items);
            else ItemText.List(v.Out, items, "no matching work items");
            return 0;
        });
        return cmd;
    }

    private static Command Show(IServiceProvider services)
    {
        var ids = Options.ItemIds();
        var json = Options.Json();
        var cmd = new Command("show", "Show work items in full: fields, dependencies both ways, readiness, comments") { ids, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var ledger = v.Read();
            var items = pr.GetValue(ids)!.Select(ledger.Get).ToList();
            if (pr.GetValue(json)) { JsonOut.Items(v.Env, items); return 0; }
            for (var k = 0; k < items.Count; k++)
            {
                if (k > 0) v.Out.WriteLine();
                ItemText.Show(v.Out, items[k], ledger);
            }
            return 0;
        });
        return cmd;
    }

    private static Command Update(IServiceProvider services)
    {
        var id = Options.ItemIds();
        var title = new Option<string>("--title") { Description = "New title" };
        var description = new Option<string>("--description", "-d") { Description = "New description ('-' reads standard input, '' clears)" };
        var design = new Option<string>("--design") { Description = "New design notes" };
        var acceptance = new Option<string>("--acceptance") { Description = "New acceptance criteria" };
        var notes = new Option<string>("--notes") { Description = "New notes" };
        var status = new Option<string>("--status", "-s") { Description = $"New status: {string.Join(", ", Statuses.Settable)}" };
        var type = new Option<string>("--type", "-t") { Description = "New type" };
        var priority = new Option<string>("--priority", "-p") { Description = "New priority, 0-4" };
        var assignee = new Option<string>("--assignee", "-a") { Description = "New assignee ('' clears)" };
        var owner = new Option<string>("--owner") { Description = "New owner ('' clears)" };
        var defer = new Option<string>("--defer-until") { Description = "Not ready before this date ('' clears)" };
        var externalRef = new Option<string>("--external-ref") { Description = "New external reference ('' clears)" };
        var files = new Option<string[]>("--file") { Description = "Replace the files the item expects to own (repeat)" };
        var json = Options.Json();
        var cmd = new Command("update", "Change fields of work items (several ids: the same change to each, in one commit, or none if one is refused)")
        {
            id, title, description, design, acceptance, notes, status, type, priority, assignee, owner, defer, externalRef, files, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var request = new UpdateItemRequest
            {
                Title = pr.GetValue(title),
                Description = v.Env.TextOrStdin(pr.GetValue(description)),
                Design = pr.GetValue(design),
                AcceptanceCriteria = pr.GetValue(acceptance),
                Notes = pr.GetValue(notes),
                Status = pr.GetValue(status),
                Type = pr.GetValue(type),
                Priority = pr.GetValue(priority),
                Assignee = pr.GetValue(assignee),
                Owner = pr.GetValue(owner),
                DeferUntil = pr.GetValue(defer),
                ExternalRef = pr.GetValue(externalRef),
                Files = pr.GetValue(files) is { Length: > 0 } replaced ? replaced : null,
            };
            WorkItemRules.Check(request, v.Context.Now, Options.Named);
            var ids = pr.GetValue(id)!.Distinct(StringComparer.Ordinal).ToList();
            var updated = v.Mutate("update", ops => ids.Select(i => ops.Update(i, request)).ToList()).Value;
            if (pr.GetValue(json))
            {
                if (updated.Count == 1) JsonOut.Item(v.Env, updated[0]); // one id: the item, as before; several: an array
                else JsonOut.Items(v.Env, updated);
                return 0;
            }
            foreach (var u in updated) v.Out.WriteLine($"updated {u.Id}: {TerminalText.Line(u.Title)}");
            return 0;
        });
        return cmd;
    }

    private static Command Close(IServiceProvider services)
    {
        var reason = new Option<string>("--reason", "-r") { Description = "Why it is closed" };
        return StatusChange(services, "close", "Close work items", [reason],
            pr => WorkItemRules.Text(pr.GetValue(reason), "--reason"),
            (ops, id, pr) => ops.Close(id, pr.GetValue(reason)),
            i => $"closed {i.Id}: {TerminalText.Line(i.Title)}",
            i => $"{i.Id} was already closed");
    }

    private static Command Delete(IServiceProvider services)
    {
        var ids = Options.ItemIds();
        var reason = new Option<string>("--reason", "-r") { Description = "Why it is deleted" };
        var force = new Option<bool>("--force") { Description = "Delete it even if open items wait for it (they stop waiting; each is named)" };
        var json = Options.Json();
        var cmd = new Command("delete", "Delete work items: each stays in the ledger as a tombstone (as bd exports it), so no merge brings it back")
        {
            ids, reason, force, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            WorkItemRules.Text(pr.GetValue(reason), "--reason");
            var list = pr.GetValue(ids)!.Distinct(StringComparer.Ordinal).ToList();
            var result = v.Mutate("delete", ops => list.Select(i =>
            {
                var (deleted, unblocked) = ops.Delete(i, pr.GetValue(reason), pr.GetValue(force));
                return (Deleted: deleted, Unblocked: unblocked, Item: ops.Ledger.Get(i));
            }).ToList()).Value;
            if (pr.GetValue(json)) { JsonOut.Items(v.Env, result.Select(r => r.Item).ToList()); return 0; }
            foreach (var r in result)
            {
                v.Out.WriteLine(r.Deleted ? $"deleted {r.Item.Id}: {TerminalText.Line(r.Item.Title)}" : $"{r.Item.Id} was already deleted");
                foreach (var w in r.Unblocked) v.Out.WriteLine($"  {w.Id} no longer waits for it: {TerminalText.Line(w.Title)}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary><c>orc item duplicate ID --of OTHER</c> and <c>orc item supersede ID --by OTHER</c>: a link, then the close.</summary>
    private static Command Link(IServiceProvider services, string verb, string optionName, string help, string otherHelp,
        Func<ItemOperations, string, string, bool> link)
    {
        var id = Options.ItemId();
        var other = new Option<string>(optionName) { Description = otherHelp, Required = true };
        var json = Options.Json();
        var cmd = new Command(verb, help) { id, other, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var result = v.Mutate(verb, ops => (Closed: link(ops, pr.GetValue(id)!, pr.GetValue(other)!), Item: ops.Ledger.Get(pr.GetValue(id)!),
                Epics: ops.EpicsClosed.ToList())).Value;
            if (pr.GetValue(json)) { JsonOut.Item(v.Env, result.Item); return 0; }
            v.Out.WriteLine(result.Closed
                ? $"closed {result.Item.Id}: {TerminalText.Line(result.Item.CloseReason ?? "")}"
                : $"{result.Item.Id} was already closed; linked it to {TerminalText.Line(pr.GetValue(other)!)}");
            foreach (var e in result.Epics) v.Out.WriteLine($"closed {e.Id}: {TerminalText.Line(e.Title)} ({ItemOperations.AllChildrenClosed})");
            return 0;
        });
        return cmd;
    }

    private static Command CloseEligible(IServiceProvider services)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list them" };
        var json = Options.Json();
        var cmd = new Command("close-eligible", "Close every open epic whose children are all closed (an epic closes itself when its last child does)")
        {
            dryRun, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var epics = pr.GetValue(dryRun)
                ? new ItemOperations(v.Read(), v.Context.Now, v.Context.Actor, "x").CloseEligible()
                : v.Mutate("close-eligible", ops => ops.CloseEligibleEpics()).Value;
            if (pr.GetValue(json)) { JsonOut.Items(v.Env, epics); return 0; }
            if (epics.Count == 0) { v.Out.WriteLine("no open epic has all its children closed"); return 0; }
            foreach (var e in epics) v.Out.WriteLine($"{(pr.GetValue(dryRun) ? "would close" : "closed")} {e.Id}: {TerminalText.Line(e.Title)}");
            return 0;
        });
        return cmd;
    }

    private static Command Search(IServiceProvider services)
    {
        var words = new Argument<string[]>("TEXT") { Description = "Words to find (each must appear somewhere; case-insensitive)", Arity = ArgumentArity.OneOrMore };
        var all = new Option<bool>("--all") { Description = "Include closed and deleted items" };
        var limit = new Option<int?>("--limit", "-n") { Description = "At most this many" };
        var json = Options.Json();
        var cmd = new Command("search", "Find work items by text in their id, title, description, design, acceptance, notes, labels, assignee or comments")
        {
            words, all, limit, json,
        };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var wanted = pr.GetValue(words)!.Where(w => w.Length > 0).ToList();
            foreach (var w in wanted) WorkItemRules.Text(w, "TEXT");
            var n = pr.GetValue(limit);
            if (n is < 0) throw new OrcException("--limit: must be 0 or more", ExitCodes.Usage);
            var items = v.Read().Sorted()
                .Where(i => pr.GetValue(all) || !i.IsClosed)
                .Where(i => wanted.All(w => ItemQuery.Finds(i, w))).ToList();
            if (n is { } max) items = items.Take(max).ToList();
            if (pr.GetValue(json)) JsonOut.Items(v.Env, items);
            else ItemText.List(v.Out, items, "no work items mention that");
            return 0;
        });
        return cmd;
    }

    private static Command Reopen(IServiceProvider services) =>
        StatusChange(services, "reopen", "Reopen closed work items", [], _ => { },
            (ops, id, _) => ops.Reopen(id),
            i => $"reopened {i.Id}: {TerminalText.Line(i.Title)}",
            i => $"{i.Id} is not closed ({TerminalText.Line(i.Status)})");

    /// <summary>A verb that changes the status of several items in one commit, saying for each whether it changed.</summary>
    private static Command StatusChange(IServiceProvider services, string verb, string help, Option[] extra, Action<ParseResult> check,
        Func<ItemOperations, string, ParseResult, bool> change, Func<WorkItem, string> changed, Func<WorkItem, string> unchanged)
    {
        var ids = Options.ItemIds();
        var json = Options.Json();
        var cmd = new Command(verb, help) { ids, json };
        foreach (var o in extra) cmd.Add(o);
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var list = pr.GetValue(ids)!;
            check(pr);
            var result = v.Mutate(verb, ops => (Rows: list.Select(i => (Changed: change(ops, i, pr), Item: ops.Ledger.Get(i))).ToList(),
                Epics: ops.EpicsClosed.ToList())).Value;
            if (pr.GetValue(json))
            {
                JsonOut.Items(v.Env, [.. result.Rows.Select(r => r.Item), .. result.Epics]);
                LandConvoys(services, verb, null);
                return 0;
            }
            foreach (var r in result.Rows) v.Out.WriteLine(r.Changed ? changed(r.Item) : unchanged(r.Item));
            foreach (var e in result.Epics) v.Out.WriteLine($"closed {e.Id}: {TerminalText.Line(e.Title)} ({ItemOperations.AllChildrenClosed})");
            LandConvoys(services, verb, v.Out);
            return 0;
        });
        return cmd;
    }

    /// <summary>After a close, a convoy whose items are now all closed lands (mail, tmux, its on-land command).</summary>
    private static void LandConvoys(IServiceProvider services, string verb, TextWriter? output)
    {
        if (verb != "close" || !Directory.Exists(services.GetRequiredService<Orchestrator.Services.Workspace.WorkspaceContext>().Paths.ConvoysDir)) return;
        foreach (var c in services.GetRequiredService<Orchestrator.Services.Convoys.ConvoyService>().CheckLanded())
            output?.WriteLine($"convoy {c.Name} has landed (see 'orc convoy report {c.Name}')");
    }

    private static Command CommentCmd(IServiceProvider services)
    {
        var id = Options.ItemId();
        var text = new Argument<string>("TEXT") { Description = "The comment ('-' reads standard input)" };
        var json = Options.Json();
        var cmd = new Command("comment", "Add a comment to a work item") { id, text, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var body = v.Env.TextOrStdin(pr.GetValue(text)) ?? "";
            if (string.IsNullOrWhiteSpace(body)) throw new OrcException("comment: must not be empty");
            WorkItemRules.Text(body, "comment");
            var c = v.Mutate("comment", ops => ops.AddComment(pr.GetValue(id)!, body)).Value;
            if (pr.GetValue(json))
                JsonOut.Write(v.Env, ItemCommentJson.From(c), CliJsonContext.Default.ItemCommentJson);
            else v.Out.WriteLine($"commented on {c.IssueId} (#{c.Id})");
            return 0;
        });
        return cmd;
    }

    private static Command LabelList(IServiceProvider services)
    {
        var all = new Option<bool>("--all") { Description = "Count closed items too" };
        var json = Options.Json();
        var cmd = new Command("list", "Every label in use, with how many items carry it (open items, or all with --all)") { all, json };
        cmd.SetAction(pr =>
        {
            var v = new Verb(services);
            var counts = v.Read().Sorted()
                .Where(i => i.Status != Statuses.Tombstone && (pr.GetValue(all) || !i.IsClosed))
                .SelectMany(i => i.Labels.Distinct(StringComparer.Ordinal))
                .CountBy(l => l, StringComparer.Ordinal)
                .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new LabelCountJson(c.Key, c.Value)).ToList();
            if (pr.GetValue(json)) { JsonOut.Write(v.Env, counts, CliJsonContext.Default.ListLabelCountJson); return 0; }
            if (counts.Count == 0) { v.Out.WriteLine("no labels in use"); return 0; }
            var width = counts.Max(c => c.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
            foreach (var c in counts) v.Out.WriteLine($"{c.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width)}  {TerminalText.Line(c.Label)}");
            return 0;
        });
        return cmd;
    }

    private static Command Label(IServiceProvider services)
    {
        var label = new Command("label", "Add or remove labels");
        foreach (var adding in new[] { true, false })
        {
            var id = Options.ItemId();
            var names = new Argument<string[]>("LABEL") { Description = "Labels", Arity = ArgumentArity.OneOrMore };
            var json = Options.Json();
            var cmd = new Command(adding ? "add" : "remove", adding ? "Add labels to a work item" : "Remove labels from a work item") { id, names, json };
            cmd.SetAction(pr =>
            {
                var v = new Verb(services);
                var wanted = Options.SplitList(pr.GetValue(names));
                if (adding) WorkItemRules.Labels(wanted);
                else WorkItemRules.LabelsToFind(wanted);
                var itemId = pr.GetValue(id)!;
                var result = v.Mutate(adding ? "label add" : "label remove", ops =>
                    (Changed: adding ? ops.AddLabels(itemId, wanted) : ops.RemoveLabels(itemId, wanted), Item: ops.Ledger.Get(itemId)));
                if (pr.GetValue(json)) { JsonOut.Item(v.Env, result.Value.Item); return 0; }
                var changed = result.Value.Changed;
                v.Out.WriteLine(changed.Count == 0
                    ? $"{itemId}: nothing to {(adding ? "add" : "remove")}"
                    : $"{itemId}: {(adding ? "added" : "removed")} {TerminalText.Line(string.Join(", ", changed))}");
                return 0;
            });
            label.Add(cmd);
        }
        label.Add(LabelList(services));
        return label;
    }
}
