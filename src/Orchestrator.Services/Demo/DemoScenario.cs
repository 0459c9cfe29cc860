using LibGit2Sharp;
using Orchestrator.Core;
using Orchestrator.Core.Events;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;
using Orchestrator.Services.Convoys;
using Orchestrator.Services.Ledger;
using Orchestrator.Services.Patrol;
using Orchestrator.Services.Runtime;
using Orchestrator.Services.Workspace;

namespace Orchestrator.Services.Demo;

/// <summary>What <see cref="DemoScenario"/> made: where, and the ids of its items by their part in the story.</summary>
public sealed record DemoWorkspace(string Root, string Socket, string Epic, IReadOnlyDictionary<string, string> Items)
{
    /// <summary>The convoy's items in the order they were made.</summary>
    public IReadOnlyList<string> ItemIds => [.. DemoScenario.Parts.Select(p => Items[p])];
}

/// <summary>
/// <c>orc demo</c>'s workspace, built in-process with the real services: a rig <c>shop</c> made
/// from a small git repository created on the spot (its gate a shell script in the repository),
/// an epic "Checkout v2" with six items (a dependency chain model → api → ui; a guide whose agent
/// crashes once and is restarted by the witness; release notes the plan serialises after the guide
/// because both claim docs/; payment settings that also edit config/shop.ini, which no item
/// declares, so they really conflict with the model at the merge queue, go back to their agent
/// and land after rework), and a convoy <c>checkout</c> of them. <see cref="Start"/> then starts
/// the services and <c>orc convoy launch checkout --max 3</c> in windows of the <c>orc</c> tmux
/// session, as real processes; the sim agents do the work. It lands in about a minute.
/// </summary>
public sealed class DemoScenario(WorkspaceInitializer initializer, RuntimeContext runtime, LedgerService ledger, RigService rigs,
    ConvoyService convoys, ServiceLauncher launcher, AgentService agents)
{
    public const string Rig = "shop";
    public const string Convoy = "checkout";
    public const int Max = 3;

    /// <summary>The window of the <c>orc</c> session that runs <c>orc convoy launch</c>.</summary>
    public const string LaunchWindow = "convoy";

    /// <summary>The session and window the TUI runs in.</summary>
    public const string TuiSession = "demo";
    public const string TuiWindow = "tui";

    /// <summary>
    /// Set in the TUI's environment when the demo starts it: quitting that TUI ends the demo, so its
    /// <c>q</c> says so before it quits. Its value tells whether the workspace goes too.
    /// </summary>
    public const string TuiVariable = "ORC_DEMO";
    public const string TuiRemoves = "remove";
    public const string TuiKeeps = "keep";

    /// <summary>The items' parts in the story, in the order they are made.</summary>
    public static readonly IReadOnlyList<string> Parts = ["model", "api", "ui", "guide", "notes", "payments"];

    /// <summary>Where the rig's source repository is made (under rigs/, which the workspace's git ignores).</summary>
    public static string SourceOf(string root) => Path.Combine(root, "rigs", ".origin", Rig);

    /// <summary>Builds the workspace in <paramref name="directory"/> (which must be new or empty), then starts the services and the launch.</summary>
    public DemoWorkspace Start(string directory, string mergeDriver, CancellationToken cancel)
    {
        var demo = Build(directory, mergeDriver, cancel);
        cancel.ThrowIfCancellationRequested();
        launcher.EnsureAll(runtime.Workspace.Actor);
        cancel.ThrowIfCancellationRequested();
        StartLaunch();
        return demo;
    }

    /// <summary>The workspace, the rig, the items and the convoy; nothing runs yet.</summary>
    public DemoWorkspace Build(string directory, string mergeDriver, CancellationToken cancel)
    {
        var root = Path.GetFullPath(directory);
        if (File.Exists(root)) throw new OrcException($"{TerminalText.Line(root)} is a file; the demo needs a new or empty directory", ExitCodes.Usage);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
            throw new OrcException($"{TerminalText.Line(root)} is not empty; the demo needs a new or empty directory", ExitCodes.Usage);
        initializer.Init(root, "hq", mergeDriver, runtime.Workspace.Actor, "sim");
        // This object's services must work on the workspace just made, not on one the caller stands in.
        if (runtime.Workspace.Paths.Root != root)
            throw new InvalidOperationException($"the demo's services point at {runtime.Workspace.Paths.Root}, not at {root}");
        cancel.ThrowIfCancellationRequested();

        var source = SourceOf(root);
        CreateSource(source);
        cancel.ThrowIfCancellationRequested();
        rigs.Add(new RigService.AddRequest(Rig, source, Link: false, Prefix: Rig, Gate: ["sh check.sh"], Profile: "sim", MaxPolecats: null));
        rigs.Set(Rig, "grace", "3"); // the witness restarts a dead agent 3 s after its last start, not 30
        cancel.ThrowIfCancellationRequested();

        var (epic, items) = ledger.Mutate("demo", ops => CreateItems(ops)).Value;
        cancel.ThrowIfCancellationRequested();
        var close = string.Join(' ', runtime.SelfArgv.Select(Quote)) + $" item close {epic} --reason 'convoy {Convoy} landed'";
        convoys.Create(Convoy, [.. Parts.Select(p => items[p])], "Checkout v2", close);
        return new DemoWorkspace(root, runtime.Tmux.SocketName, epic, items);
    }

    /// <summary>Starts <c>orc convoy launch checkout --max 3</c> in the <c>orc</c> session, where it runs until the convoy lands.</summary>
    public void StartLaunch()
    {
        var argv = new List<string>(runtime.SelfArgv) { "convoy", "launch", Convoy, "--max", Max.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--interval", "1", "--wait" };
        runtime.Tmux.StartWindow(ServiceLauncher.Session, LaunchWindow, runtime.Workspace.Paths.Root, Environment(), argv);
        runtime.Record(runtime.Workspace.Actor, EventKinds.Started, "convoy " + Convoy,
            $"'orc demo' started 'orc convoy launch {Convoy} --max {Max} --wait' in window {ServiceLauncher.Session}:{LaunchWindow}");
    }

    /// <summary>
    /// Starts this orc with no verb (the TUI) in window <c>demo:tui</c>, told that it is the demo's
    /// (<see cref="TuiVariable"/>) and whether quitting it keeps the workspace. The window closes when
    /// the TUI exits (not kept as a dead pane like the agents'), so an attached terminal returns.
    /// </summary>
    public void StartTui(bool keep = false)
    {
        var env = Environment();
        env[TuiVariable] = keep ? TuiKeeps : TuiRemoves;
        runtime.Tmux.StartWindow(TuiSession, TuiWindow, runtime.Workspace.Paths.Root, env, [.. runtime.SelfArgv]);
        var target = Adapters.Tmux.TmuxServer.Target(TuiSession, TuiWindow);
        runtime.Tmux.Run("set-option", "-w", "-t", target, "remain-on-exit", "off");
        // It may have ended before the option was set: then it is a dead pane, closed here.
        if (runtime.Tmux.FindWindow(TuiSession, TuiWindow) is { PaneDead: true }) runtime.Tmux.KillWindow(TuiSession, TuiWindow);
    }

    /// <summary>True while the TUI's window is there.</summary>
    public bool TuiRunning() => runtime.Tmux.FindWindow(TuiSession, TuiWindow) is { PaneDead: false };

    /// <summary>
    /// Stops the demo's tmux server (only its own) and with it the services, the launch and the
    /// agents, and waits for their processes to end (see <see cref="AgentService.Down"/>). Returns the windows stopped.
    /// </summary>
    public int Stop() => runtime.Workspace.TryPaths is null ? 0 : agents.Down().Windows ?? 0;

    private Dictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string> { ["ORC_WORKSPACE"] = runtime.Workspace.Paths.Root };
        if (runtime.Workspace.Environment(RuntimeContext.SocketVariable) is { Length: > 0 } socket) env[RuntimeContext.SocketVariable] = socket;
        return env;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    private static (string Epic, Dictionary<string, string> Items) CreateItems(ItemOperations ops)
    {
        var epic = ops.Create(new CreateItemRequest
        {
            Title = "Checkout v2", Type = IssueTypes.Epic, Prefix = Rig, Priority = "1",
            Description = "The new checkout: a cart model, an API on it, a page on the API, a guide and release notes, and the payment settings.\n" +
                "This is orc's demo: sim agents do the work, the refinery lands one commit per item on shop's main, and the witness restarts what crashes.",
        }).Id;
        var items = new Dictionary<string, string>();
        string Child(string part, string title, string description, string priority, string[] files, string[] labels, params string[] after)
        {
            var id = ops.Create(new CreateItemRequest
            {
                Title = title, Description = description, Priority = priority, ParentId = epic, Prefix = Rig,
                Files = files, Labels = labels, BlockedBy = [.. after.Select(a => items[a])],
            }).Id;
            items[part] = id;
            return id;
        }
        Child("model", "Cart model: line items and totals",
            "Line items, quantities and totals. It also edits config/shop.ini, which it does not declare: the plan cannot see that.",
            "1", ["src/model.txt"], ["sim:touch=config/shop.ini"]);
        Child("api", "Checkout API on the cart model",
            "Endpoints to review the cart and place an order. Waits for the model (a dependency).",
            "2", ["src/api.txt"], ["sim:slow"], "model");
        Child("ui", "Checkout page",
            "The page a customer sees. Waits for the API (a dependency), so it comes last.",
            "2", ["src/ui.txt"], ["sim:slow"], "api");
        Child("guide", "Checkout guide",
            "How checkout works, for support staff. Its agent crashes on its first run; the witness restarts it from its hook.",
            "2", ["docs/checkout.md"], ["sim:crash-once"]);
        Child("notes", "Release notes for checkout v2",
            "Claims all of docs/, like the guide claims docs/checkout.md: the plan predicts the conflict and starts this after the guide has landed.",
            "3", ["docs/", "docs/release-notes.md"], []);
        Child("payments", "Payment settings",
            "Card and invoice settings. Also edits config/shop.ini, which no item declares, at the same time as the model: " +
            "the second of the two to reach the merge queue conflicts, goes back to its agent, and lands after rework.",
            "3", ["src/payments.txt"], ["sim:touch=config/shop.ini", "sim:slow"]);
        return (epic, items);
    }

    /// <summary>The shop's repository: a few files, a gate script, one commit on main.</summary>
    private static void CreateSource(string source)
    {
        Directory.CreateDirectory(source);
        Repository.Init(source);
        File.WriteAllText(Path.Combine(source, ".git", "HEAD"), "ref: refs/heads/main\n"); // main, whatever git's default
        var files = new Dictionary<string, string>
        {
            ["README.md"] = "# shop\n\nA tiny web shop, made up for `orc demo`. Its agents write one line per work item.\n",
            ["check.sh"] =
                """
                #!/bin/sh
                # The shop's gate (the refinery runs it on every candidate for main): the files are
                # there and no conflict marker was committed.
                set -e
                for f in README.md src/model.txt src/api.txt src/ui.txt src/payments.txt config/shop.ini; do
                  test -f "$f" || { echo "missing $f"; exit 1; }
                done
                if grep -rn '^<<<<<<< ' src config docs; then echo "conflict markers"; exit 1; fi
                echo "shop: all checks passed"

                """,
            ["src/model.txt"] = "# cart model\n",
            ["src/api.txt"] = "# checkout API\n",
            ["src/ui.txt"] = "# checkout page\n",
            ["src/payments.txt"] = "# payments\n",
            ["docs/checkout.md"] = "# Checkout\n",
            ["config/shop.ini"] = "[shop]\nname = shop\ncurrency = EUR\n",
        };
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(source, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        using var repo = new Repository(source);
        foreach (var path in files.Keys) Commands.Stage(repo, path);
        var sig = new Signature("orc demo", "demo@orc.local", DateTimeOffset.Now);
        repo.Commit("shop: a tiny shop for the orc demo\n", sig, sig, new CommitOptions { PrettifyMessage = false });
    }
}
