namespace Orchestrator.Tui.Config;

/// <summary>Where layouts and themes are looked for, highest priority first (the shipped ones come after these).</summary>
public static class TuiConfigFolders
{
    /// <summary>
    /// For <paramref name="kind"/> "layouts" or "themes": the workspace's own <c>KIND/</c> folder (beside <c>ledger/</c>, kept in its git), then the
    /// user's <c>$XDG_CONFIG_HOME/orc/KIND</c> (<c>~/.config/orc/KIND</c> when XDG_CONFIG_HOME is unset
    /// or not absolute). Folders that cannot be named (no workspace, no HOME) are left out.
    /// </summary>
    public static IReadOnlyList<string> For(string kind, string? workspaceRoot, Func<string, string?> environment)
    {
        var folders = new List<string>();
        if (!string.IsNullOrEmpty(workspaceRoot)) folders.Add(Path.Combine(workspaceRoot, kind));
        var xdg = environment("XDG_CONFIG_HOME");
        var home = environment("HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)) folders.Add(Path.Combine(xdg, "orc", kind));
        else if (!string.IsNullOrEmpty(home) && Path.IsPathRooted(home)) folders.Add(Path.Combine(home, ".config", "orc", kind));
        return folders;
    }

    public static IReadOnlyList<string> Layouts(string? workspaceRoot, Func<string, string?> environment) => For("layouts", workspaceRoot, environment);

    public static IReadOnlyList<string> Themes(string? workspaceRoot, Func<string, string?> environment) => For("themes", workspaceRoot, environment);
}
