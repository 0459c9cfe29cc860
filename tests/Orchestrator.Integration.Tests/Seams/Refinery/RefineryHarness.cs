using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Adapters.Storage;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Merging;
using Orchestrator.Core.Rigs;
using Orchestrator.Testing;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Mail;
using Orchestrator.Services.Planning;
using Orchestrator.Services.Refinery;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Integration.Tests.Seams.Refinery;

/// <summary>A submission a test queues: its name (S1…), the files it changes, its priority and place in time, what it depends on.</summary>
public sealed record Spec(string Name)
{
    /// <summary>Files it changes (path → content); default: a file of its own.</summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }
    public int Priority { get; init; } = 2;
    /// <summary>Its submission time, in seconds after the first; default: its place in the list.</summary>
    public int? At { get; init; }
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    /// <summary>Its squash would leave conflict markers in this file.</summary>
    public string? Markers { get; init; }
    /// <summary>Its branch is deleted before the refinery gets to it.</summary>
    public bool BranchGone { get; init; }
}

/// <summary>A clock that stands still: the refinery's time is the workspace's <see cref="TimeProvider"/>.</summary>
public sealed class StillClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>
/// The refinery of one rig ("app") in a real temporary workspace (ledger, queue, feed, mail on
/// disk; a copy of one made once per test process), with the rig's repository and gate replaced by <see cref="FakeRigGit"/> and <see cref="FakeGate"/>.
/// </summary>
public sealed class RefineryHarness : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>One workspace made by 'orc init' per test process; each test works in a copy of it (removed with the process).</summary>
    private static readonly Lazy<TempWorkspace> Template = new(() =>
    {
        var ws = new TempWorkspace();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ws.Dispose();
        return ws;
    });

    private readonly string _root = Path.Combine(Path.GetTempPath(), "orc-test-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public RefineryHarness(int batch = 1, string gate = "make test", string land = LandModes.Auto)
    {
        Copy(Template.Value.Root, _root);
        var env = new Dictionary<string, string> { ["USER"] = "tester", ["HOME"] = _root, ["PATH"] = "/usr/bin:/bin" };
        var workspace = new WorkspaceContext(_root, k => env.GetValueOrDefault(k), new StillClock(Start));
        Runtime = new RuntimeContext(workspace, ["orc"]);
        Ledger = new LedgerService(workspace, NullLogger<LedgerService>.Instance);
        var sling = new SlingService(Runtime, Ledger, NullLogger<SlingService>.Instance);
        Agents = new AgentService(Runtime, Ledger, sling);
        Mail = new MailService(Runtime, Ledger, Agents, NullLogger<MailService>.Instance);
        Convoys = new ConvoyService(Runtime, Ledger, new PlanService(Runtime, Ledger), Mail, sling, NullLogger<ConvoyService>.Instance);
        Rig = new Rig { Name = "app", Source = "/nonexistent/app", Prefix = "app", DefaultBranch = Git.Main, Gate = gate, Batch = batch, Land = land };
        Gate = new FakeGate(Git, _ => true);
        Refinery = NewRefinery();
    }

    public FakeRigGit Git { get; } = new();
    public FakeGate Gate { get; private set; }
    public RuntimeContext Runtime { get; }
    public LedgerService Ledger { get; }
    public AgentService Agents { get; }
    public MailService Mail { get; }
    public ConvoyService Convoys { get; }
    public Rig Rig { get; set; }

    /// <summary>The refinery under test (a new one after a "crash": <see cref="Restart"/>).</summary>
    public RefineryService Refinery { get; private set; }

    /// <summary>A refinery as the loop holds it, on the fakes.</summary>
    public RefineryService NewRefinery() =>
        new(Runtime, Ledger, Agents, Mail, Convoys, NullLogger<RefineryService>.Instance) { Integration = _ => Git, GateRunner = Gate };

    /// <summary>A new refinery process: its in-memory state (back-off, counters) is gone; disk and the rig stay.</summary>
    public void Restart()
    {
        Git.CrashAt = (0, false);
        Refinery = NewRefinery();
    }

    /// <summary>The gate answers with <paramref name="green"/> on the names (S1…) of the submissions in the candidate.</summary>
    public void GateBy(Func<IReadOnlyList<string>, bool> green)
    {
        Gate = new FakeGate(Git, ids => green(ids.Select(Name).ToList()));
        Refinery = NewRefinery();
    }

    public string Id(string name) => _ids[name];

    public string Name(string id) => _names.GetValueOrDefault(id, id);

    /// <summary>Queues the submissions, as 'orc done' leaves them: items in progress, one branch each, all in one commit.</summary>
    public void Submit(params IReadOnlyList<Spec> specs)
    {
        var created = Ledger.Transact("test submissions", t =>
        {
            var ids = specs.Select(s => t.Items.Create(new CreateItemRequest { Title = "work " + s.Name, Prefix = "app" }).Id).ToList();
            for (var i = 0; i < specs.Count; i++)
            {
                _ids[specs[i].Name] = ids[i];
                _names[ids[i]] = specs[i].Name;
            }
            for (var i = 0; i < specs.Count; i++)
            {
                t.Items.Update(ids[i], new UpdateItemRequest { Status = Statuses.InProgress, Assignee = "w-" + specs[i].Name.ToLowerInvariant() });
                foreach (var d in specs[i].DependsOn) t.Items.AddDependency(ids[i], _ids[d]);
                var branch = $"polecat/w-{specs[i].Name.ToLowerInvariant()}/{ids[i]}";
                var commit = Git.Branch(branch, specs[i].Files ?? new Dictionary<string, string> { [specs[i].Name + ".txt"] = specs[i].Name });
                if (specs[i].Markers is { } file) Git.Markers[commit] = [file];
                if (specs[i].BranchGone) Git.DeleteBranch(branch);
                var at = Start.AddSeconds(specs[i].At ?? i);
                t.Touched(Runtime.Queue(Rig.Name).Write(ids[i], new Submission
                {
                    Item = ids[i], Rig = Rig.Name, Agent = "w-" + specs[i].Name.ToLowerInvariant(), Branch = branch, Commit = commit, BaseCommit = Git.Base,
                    SubmittedAt = Timestamps.Format(at), Priority = specs[i].Priority, Commits = [commit],
                }), ids[i]);
            }
            return ids;
        });
        Assert.Equal(specs.Count, created.Value.Count);
    }

    /// <summary>S1…Sn, submitted in that order.</summary>
    public static List<Spec> Numbered(int n) => Enumerable.Range(1, n).Select(i => new Spec("S" + i)).ToList();

    public List<RefineryOutcome> Pass() => Refinery.Pass(Rig);

    public Submission Queued(string name) => Runtime.Queue(Rig.Name).Find(Id(name))!;

    public string State(string name) => Queued(name).State;

    public WorkItem Item(string name) => Ledger.Read().Find(Id(name))!;

    /// <summary>The names of the submissions on main, oldest first.</summary>
    public List<string> MainNames() => Git.MainItems.Select(Name).ToList();

    /// <summary>The names of the submissions in <paramref name="state"/>.</summary>
    public List<string> InState(string state) =>
        Runtime.Queue(Rig.Name).All().Where(s => s.State == state).Select(s => Name(s.Item)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The refinery's events in the feed.</summary>
    public List<OrcEvent> Events(string? kind = null) =>
        Runtime.Events.ReadFrom(0).Events.Where(e => e.Source == RefineryService.SourceOf(Rig.Name) && (kind is null || e.Kind == kind)).ToList();

    /// <summary>Rejections in the feed: (name, tag).</summary>
    public List<(string Name, string? Tag)> Rejections() => Events(EventKinds.Rejected).Select(e => (Name(e.Subject!), e.Tag)).ToList();

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    public void Dispose()
    {
        try
        {
            foreach (var f in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
