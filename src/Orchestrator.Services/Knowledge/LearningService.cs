using System.Text;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Agents;
using Orchestrator.Core.Convoys;
using Orchestrator.Core.Items;
using Orchestrator.Core.Knowledge;
using Orchestrator.Core.Text;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Planning;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Knowledge;

/// <summary>What <c>learn from-convoy</c> proposed: each learning, and whether it is new or already known.</summary>
public sealed record ConvoyLearning(Learning Learning, bool AlreadyKnown);

/// <summary>
/// Learnings: short lessons kept in the workspace (<c>learnings/learnings.jsonl</c>), for everyone,
/// a rig or a role; <c>orc prime</c> gives each agent the relevant ones. Every change is made
/// under the workspace write lock and committed, like the ledger.
/// </summary>
public sealed class LearningService(RuntimeContext runtime, LedgerService ledger, Convoys.ConvoyService convoys)
{
    public const string GitAttributesLine = "learnings/*.jsonl merge=union";

    private readonly Random _random = new();

    private LearningFile File => new(runtime.Workspace.Paths.LearningsFile);

    public LearningDocument Read() => File.Load();

    public Learning Add(string text, string? rig, string? role, IEnumerable<string> tags)
    {
        var l = Make(LearningRules.Text(text), rig, role, LearningRules.Tags(tags), source: null, item: null);
        return ledger.Transact("learn add", t =>
        {
            var doc = File.Load();
            if (doc.Learnings.FirstOrDefault(x => LearningRules.SameAs(x, l)) is { } same)
                throw new OrcException($"already learnt as {same.Id} ({same.Scope}): {TerminalText.Line(same.Text)}");
            var added = l with { Id = NewId(doc) };
            Save(t, doc with { Learnings = [.. doc.Learnings, added] }, added.Id);
            return added;
        }).Value;
    }

    /// <summary>
    /// The learnings, newest first. With a rig: those an agent on that rig sees (the workspace's and
    /// the rig's); with a role likewise; with a tag: those that carry it.
    /// </summary>
    public List<Learning> List(string? rig, string? role, string? tag)
    {
        if (rig is not null) runtime.Rigs.Get(rig);
        var r = LearningRules.Role(role);
        var t = tag is null ? null : LearningRules.Tags([tag])[0];
        return Read().Learnings
            .Where(l => (rig is null || l.Rig is null || l.Rig == rig) && (r is null || l.Role is null || l.Role == r) && (t is null || l.Tags.Contains(t)))
            .OrderByDescending(l => l.CreatedAt, StringComparer.Ordinal).ThenBy(l => l.Id, StringComparer.Ordinal)
            .ToList();
    }

    public List<Learning> Remove(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) throw new OrcException("learn remove: name at least one learning id (see 'orc learn list')", ExitCodes.Usage);
        foreach (var id in ids)
            if (!LearningRules.IsId(id.Trim())) throw new OrcException($"learn remove: '{TerminalText.Line(id)}' is not a learning id (ln- and six letters or digits; see 'orc learn list')", ExitCodes.Usage);
        return ledger.Transact("learn remove", t =>
        {
            var doc = File.Load();
            var removed = new List<Learning>();
            foreach (var id in ids.Select(i => i.Trim()).Distinct(StringComparer.Ordinal))
                removed.Add(doc.Learnings.FirstOrDefault(l => l.Id == id) ?? throw new OrcException($"no learning {id} (see 'orc learn list')", ExitCodes.NotFound));
            Save(t, doc with { Learnings = doc.Learnings.Except(removed).ToList() }, removed.Select(r => r.Id).ToArray());
            return removed;
        }).Value;
    }

    /// <summary>
    /// The learnings a landed convoy's history teaches (see <see cref="ConvoyLessons"/>), for its
    /// items' rigs and for the mayor; stored unless <paramref name="dryRun"/>. One already known
    /// (the same text for the same rig and role, e.g. from an earlier run) is not added again.
    /// </summary>
    public List<ConvoyLearning> FromConvoy(string name, bool dryRun)
    {
        var convoy = convoys.Get(name);
        if (convoy.State != ConvoyStates.Landed)
        {
            var p = convoys.Progress(convoy);
            throw new OrcException($"convoy {convoy.Name} has not landed ({convoy.State}, {p.Count(ProgressStates.Done)} of {Plural.Of(p.Items.Count, "item")} closed); learnings come from a landed convoy");
        }
        var doc = ledger.Read();
        var hooks = runtime.Hooks.All().Concat(runtime.HookArchive.All()).ToList();
        var rigs = runtime.Rigs.All();
        var records = new List<ConvoyItemRecord>();
        foreach (var id in convoy.Items)
        {
            if (doc.Find(id) is not { } item) continue;
            var hook = hooks.Where(h => h.Item == id).OrderBy(h => h.UpdatedAt ?? h.CreatedAt, StringComparer.Ordinal).LastOrDefault();
            var rig = hook?.Rig ?? rigs.FirstOrDefault(r => runtime.Queue(r.Name).Find(id) is not null)?.Name ?? PlanService.RigOf(item, null, rigs);
            records.Add(new ConvoyItemRecord(item, rig is not null && rigs.Any(r => r.Name == rig) ? rig : null));
        }
        var proposals = ConvoyLessons.Extract(convoy, records);
        List<ConvoyLearning> Mark(LearningDocument current)
        {
            var seen = new List<Learning>(current.Learnings);
            var result = new List<ConvoyLearning>();
            foreach (var p in proposals)
            {
                var l = Make(LearningRules.Text(p.Text), p.Rig, p.Role, p.Tags, "convoy:" + convoy.Name, p.Item);
                var known = seen.Any(x => LearningRules.SameAs(x, l));
                result.Add(new ConvoyLearning(l, known));
                if (!known) seen.Add(l);
            }
            return result;
        }
        if (dryRun) return Mark(Read());
        return ledger.Transact("learn from-convoy", t =>
        {
            var current = File.Load();
            var marked = Mark(current);
            var added = new List<Learning>();
            var all = new List<Learning>(current.Learnings);
            var result = new List<ConvoyLearning>();
            foreach (var m in marked)
            {
                if (m.AlreadyKnown) { result.Add(m); continue; }
                var l = m.Learning with { Id = NewId(current with { Learnings = all }) };
                all.Add(l);
                added.Add(l);
                result.Add(m with { Learning = l });
            }
            if (added.Count > 0) Save(t, current with { Learnings = all }, [.. added.Select(a => a.Id)]);
            return result;
        }).Value;
    }

    private Learning Make(string text, string? rig, string? role, List<string> tags, string? source, string? item)
    {
        var r = rig is null ? null : runtime.Rigs.Get(rig).Name;
        return new Learning
        {
            Id = "", Text = text, Rig = r, Role = LearningRules.Role(role), Tags = tags,
            CreatedAt = Timestamps.Format(runtime.Workspace.Now), CreatedBy = runtime.Workspace.Actor, Source = source, Item = item,
        };
    }

    private string NewId(LearningDocument doc)
    {
        for (var i = 0; i < 100; i++)
        {
            var id = LearningRules.NewId(_random);
            if (doc.Learnings.All(l => l.Id != id)) return id;
        }
        throw new OrcException("learn: could not find an unused learning id");
    }

    /// <summary>Writes the file (and, once, the union-merge line in .gitattributes) as part of the change.</summary>
    private void Save(WorkspaceTransaction t, LearningDocument doc, params string[] ids)
    {
        t.Touched(File.Save(doc));
        foreach (var id in ids) t.Subjects.Add(id);
        var attributes = Path.Combine(runtime.Workspace.Paths.Root, ".gitattributes");
        var text = System.IO.File.Exists(attributes) ? System.IO.File.ReadAllText(attributes) : "";
        if (text.Split('\n').Any(l => l.Trim() == GitAttributesLine)) return;
        var next = text + (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + "# orc: learnings are one per line; a merge keeps the lines of both sides\n" + GitAttributesLine + "\n";
        AtomicFile.Write(attributes, Encoding.UTF8.GetBytes(next));
        t.Touched(attributes);
    }
}
