namespace Orchestrator.Adapters.Workspace;

/// <summary>Where everything lives inside a workspace directory.</summary>
public sealed class WorkspacePaths(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string OrcDir => Path.Combine(Root, ".orc");
    public string ConfigFile => Path.Combine(OrcDir, "config.yaml");
    public string LogsDir => Path.Combine(OrcDir, "logs");
    public string LocksDir => Path.Combine(OrcDir, "locks");
    public string CacheDir => Path.Combine(OrcDir, "cache");
    public string LedgerIndex => Path.Combine(CacheDir, "ledger.idx");
    public string WriteLock => Path.Combine(LocksDir, "workspace.lock");
    /// <summary>Held by whoever appends to the event log or compacts it, and by a commit while it stages the log.</summary>
    public string EventsLock => Path.Combine(LocksDir, "events.lock");
    public string LedgerDir => Path.Combine(Root, "ledger");
    public string LedgerFile => Path.Combine(LedgerDir, "issues.jsonl");
    public string QuarantineFile => Path.Combine(LedgerDir, "issues.quarantine");
    public string MailDir => Path.Combine(Root, "mail");
    public string AgentsDir => Path.Combine(Root, "agents");
    public string RigsDir => Path.Combine(Root, "rigs");
    public string RigSettingsDir => Path.Combine(OrcDir, "rigs");
    public string ProfilesDir => Path.Combine(OrcDir, "profiles");
    public string WorktreesDir => Path.Combine(Root, "worktrees");
    public string QueueDir => Path.Combine(Root, "mq");
    public string ConvoysDir => Path.Combine(Root, "convoys");
    /// <summary>The workspace's own formulas (TOML), committed with it.</summary>
    public string FormulasDir => Path.Combine(Root, "formulas");
    /// <summary>Wisps: ephemeral molecules, never committed (the folder ignores itself).</summary>
    public string WispsDir => Path.Combine(OrcDir, "wisps");
    public string LearningsFile => Path.Combine(Root, "learnings", "learnings.jsonl");
    public string EventsFile => Path.Combine(Root, "events", "events.jsonl");
    /// <summary>Heartbeats of the running services (refinery, witness, deacon, boot); not committed.</summary>
    public string RunDir => Path.Combine(OrcDir, "run");
    public string TmpDir => Path.Combine(OrcDir, "tmp");
    public string TmuxConfig => Path.Combine(TmpDir, "tmux.conf");
    public string RigDir(string rig) => Path.Combine(RigsDir, rig);
    public string Worktree(string rig, string agent) => Path.Combine(WorktreesDir, rig, agent);
    /// <summary>The refinery's scratch worktree of a rig, where its gate runs (orc's own, never an agent's).</summary>
    public string GateWorktree(string rig) => Path.Combine(WorktreesDir, rig, ".refinery");

    /// <summary>A path relative to the root with forward slashes, as git names it.</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>True when <paramref name="dir"/> holds a workspace.</summary>
    public static bool IsWorkspace(string dir) => File.Exists(Path.Combine(dir, ".orc", "config.yaml"));
}
