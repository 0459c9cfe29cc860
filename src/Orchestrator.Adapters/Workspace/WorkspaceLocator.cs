using Orchestrator.Core;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Workspace;

/// <summary>Finds the workspace: <c>ORC_WORKSPACE</c> if set, else the nearest ancestor of the current directory.</summary>
public static class WorkspaceLocator
{
    public const string EnvironmentVariable = "ORC_WORKSPACE";

    public static WorkspacePaths? TryFind(string startDirectory, string? fromEnvironment)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var dir = Path.GetFullPath(fromEnvironment);
            return WorkspacePaths.IsWorkspace(dir) ? new WorkspacePaths(dir) : null;
        }
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
            if (WorkspacePaths.IsWorkspace(dir.FullName)) return new WorkspacePaths(dir.FullName);
        return null;
    }

    public static WorkspacePaths Find(string startDirectory, string? fromEnvironment)
    {
        var found = TryFind(startDirectory, fromEnvironment);
        if (found is not null) return found;
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            throw new OrcException($"{EnvironmentVariable}={TerminalText.Line(fromEnvironment)} is not an orc workspace (no .orc/config.yaml there); run 'orc init {TerminalText.Line(fromEnvironment)}' or unset {EnvironmentVariable}", ExitCodes.NoWorkspace);
        throw new OrcException($"not inside an orc workspace (searched {TerminalText.Line(Path.GetFullPath(startDirectory))} and its parents); create one with 'orc init DIR' or set {EnvironmentVariable}", ExitCodes.NoWorkspace);
    }
}
