namespace Orchestrator.Adapters.Workspace;

/// <summary>
/// Where the user's own orc settings live: <c>$XDG_CONFIG_HOME/orc/config.yaml</c>, or
/// <c>~/.config/orc/config.yaml</c> when XDG_CONFIG_HOME is unset or not absolute (the same folder
/// as the TUI's user layouts and themes).
/// </summary>
public static class UserConfigLocation
{
    /// <summary>The user's <c>orc</c> config folder, or null when neither XDG_CONFIG_HOME nor HOME names one.</summary>
    public static string? Folder(Func<string, string?> environment)
    {
        var xdg = environment("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "orc");
        var home = environment("HOME");
        if (!string.IsNullOrEmpty(home) && Path.IsPathRooted(home)) return Path.Combine(home, ".config", "orc");
        return null;
    }

    /// <summary>The user's <c>config.yaml</c> (it may not exist), or null.</summary>
    public static string? File(Func<string, string?> environment) =>
        Folder(environment) is { } folder ? Path.Combine(folder, "config.yaml") : null;
}
