using Orchestrator.Adapters.Workspace;

namespace Orchestrator.Services.Workspace;

/// <summary>
/// Who runs this orc and where: the current directory, the environment (<c>ORC_WORKSPACE</c>,
/// <c>ORC_AGENT</c>), the clock. The workspace is found on first use, so verbs that need none
/// (init, help, the merge driver) never look for it.
/// </summary>
public sealed class WorkspaceContext(string currentDirectory, Func<string, string?> environment, TimeProvider clock)
{
    private WorkspacePaths? _paths;
    private WorkspaceConfig? _config;

    public string CurrentDirectory { get; } = currentDirectory;
    public TimeProvider Clock { get; } = clock;
    public Func<string, string?> Environment { get; } = environment;

    /// <summary>The workspace, or an <see cref="Core.OrcException"/> saying how to make one.</summary>
    public WorkspacePaths Paths => _paths ??= WorkspaceLocator.Find(CurrentDirectory, Environment(WorkspaceLocator.EnvironmentVariable));

    /// <summary>The workspace if there is one; never throws.</summary>
    public WorkspacePaths? TryPaths => _paths ??= WorkspaceLocator.TryFind(CurrentDirectory, Environment(WorkspaceLocator.EnvironmentVariable));

    /// <summary>The settings in effect: the workspace's <c>.orc/config.yaml</c> over the user's <c>~/.config/orc/config.yaml</c> over the defaults.</summary>
    public WorkspaceConfig Config => _config ??= WorkspaceConfig.Load(Paths.ConfigFile, WorkspaceConfig.LoadUser(UserConfigFile));

    /// <summary>The user's settings file (<c>$XDG_CONFIG_HOME/orc/config.yaml</c>), which may not exist; null without HOME.</summary>
    public string? UserConfigFile => UserConfigLocation.File(Environment);

    /// <summary>The agent (<c>ORC_AGENT</c>) or the user behind this process: named in commits and items.</summary>
    public string Actor =>
        NonEmpty(Environment("ORC_AGENT")) ?? NonEmpty(Environment("USER")) ?? NonEmpty(System.Environment.UserName) ?? "user";

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Resolves a path given by the user against the current directory.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, CurrentDirectory);

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
