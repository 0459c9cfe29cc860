using Microsoft.Extensions.Logging;
using Orchestrator.Adapters.Git;
using Orchestrator.Adapters.Storage;
using Orchestrator.Adapters.Workspace;
using Orchestrator.Core;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;

namespace Orchestrator.Services.Workspace;

/// <summary>Makes a workspace: its own git repository with the config, the ledger, and room for mail, agents and logs.</summary>
public sealed class WorkspaceInitializer(ILogger<WorkspaceInitializer> logger)
{
    public const string MergeDriverName = "orc-ledger";
    public const string MergeDriverDescription = "orc ledger merge (by item id)";

    public sealed record Result(WorkspacePaths Paths, bool Created, string? CommitId);

    public static readonly string GitIgnore =
        """
        # orc: machine-local state, never committed
        .orc/logs/
        .orc/locks/
        .orc/cache/
        .orc/tmp/
        .orc/run/
        .orc/wisps/
        rigs/
        worktrees/
        # the temporary file of a write cut short (kill -9), in any folder (ledger, mq, agents, mail)
        .*.tmp

        """;

    public static readonly string GitAttributes =
        $"""
        # orc merges its ledger files by item id (see 'orc merge-driver --help')
        ledger/*.jsonl merge={MergeDriverName}
        # orc: learnings are one per line; a merge keeps the lines of both sides
        learnings/*.jsonl merge=union

        """;

    /// <param name="mergeDriverCommand">The command git runs to merge ledger files (how to start this orc).</param>
    /// <param name="intoExistingRepository">Make the workspace in a git repository that already has
    /// commits of its own (orc's files are committed into it); without it such a directory is refused,
    /// since it is most likely a code repository that should become a rig, not the workspace.</param>
    public Result Init(string directory, string prefix, string mergeDriverCommand, string actor, string? defaultProfile = null,
        bool intoExistingRepository = false)
    {
        var paths = new WorkspacePaths(directory);
        if (WorkspacePaths.IsWorkspace(paths.Root))
            return new Result(paths, false, null);
        if (!intoExistingRepository && WorkspaceRepository.HasCommits(paths.Root))
            throw new OrcException($"DIR: {TerminalText.Line(paths.Root)} is already a git repository with commits of its own; a workspace is a repository of its own, so make it in a new directory (e.g. 'orc init ../workspace', then 'orc rig add NAME {TerminalText.Line(paths.Root)}'), or give --here to make this repository the workspace anyway", ExitCodes.Usage);
        if (!IdGenerator.IsValidPrefix(prefix))
            throw new OrcException($"--prefix: '{TerminalText.Line(prefix)}' is not a valid id prefix (lowercase letters and digits, a letter first, at most 16)", ExitCodes.Usage);
        if (File.Exists(paths.Root))
            throw new OrcException($"{paths.Root}: is a file, not a directory");

        try
        {
            Directory.CreateDirectory(paths.Root);
            if (!WorkspaceRepository.Exists(paths.Root)) WorkspaceRepository.Init(paths.Root);
            foreach (var dir in new[] { paths.OrcDir, paths.LogsDir, paths.LocksDir, paths.LedgerDir, paths.MailDir, paths.AgentsDir, paths.RigsDir })
                Directory.CreateDirectory(dir);
            WriteIfMissing(Path.Combine(paths.Root, ".gitignore"), GitIgnore);
            WriteIfMissing(Path.Combine(paths.Root, ".gitattributes"), GitAttributes);
            WriteIfMissing(Path.Combine(paths.MailDir, ".gitkeep"), "");
            WriteIfMissing(Path.Combine(paths.AgentsDir, ".gitkeep"), "");
            if (!File.Exists(paths.LedgerFile)) AtomicFile.Write(paths.LedgerFile, []);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{paths.Root}: cannot create the workspace: {ex.Message}");
        }

        var repo = new WorkspaceRepository(paths.Root);
        repo.SetConfig($"merge.{MergeDriverName}.name", MergeDriverDescription);
        repo.SetConfig($"merge.{MergeDriverName}.driver", mergeDriverCommand);
        // The config file is written last: its presence is what marks a finished workspace.
        AtomicFile.Write(paths.ConfigFile, System.Text.Encoding.UTF8.GetBytes(new WorkspaceConfig { Prefix = prefix,
            DefaultProfile = defaultProfile }.ToYaml()));
        var sha = repo.Commit(
            [".gitignore", ".gitattributes", ".orc/config.yaml", "ledger/issues.jsonl", "mail/.gitkeep", "agents/.gitkeep"],
            $"orc: initialise workspace (prefix {prefix})\n\nactor: {actor}", actor);
        logger.LogInformation("initialised workspace {Root} with prefix {Prefix}", paths.Root, prefix);
        return new Result(paths, true, sha);
    }

    private static void WriteIfMissing(string path, string content)
    {
        if (!File.Exists(path)) AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(content));
    }
}
