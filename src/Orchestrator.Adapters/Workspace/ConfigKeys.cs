namespace Orchestrator.Adapters.Workspace;

/// <summary>One setting <c>orc config</c> reads and writes: its dotted key, type, default and who may set it.</summary>
/// <param name="Key">Dotted path in the YAML, e.g. <c>notify.desktop</c>.</param>
/// <param name="Type">What a value is, for messages and docs (e.g. "bool", "auto|osc9|osc777|off").</param>
/// <param name="Default">The value with no file setting it.</param>
/// <param name="WorkspaceOnly">Only a workspace's file may hold it (the id prefix).</param>
/// <param name="Value">The value in effect in a loaded configuration, as text.</param>
public sealed record ConfigKey(string Key, string Type, string Default, bool WorkspaceOnly, string Description, Func<WorkspaceConfig, string> Value)
{
    public bool IsList => Type.StartsWith("list", StringComparison.Ordinal);
}

/// <summary>The settings in <c>.orc/config.yaml</c> and <c>~/.config/orc/config.yaml</c> (rig settings live in <c>.orc/rigs/NAME.yaml</c>, see <c>orc rig
/// set</c>).</summary>
public static class ConfigKeys
{
    public static readonly IReadOnlyList<ConfigKey> All =
    [
        new("prefix", "prefix", "hq", true, "Id prefix of the workspace's own items (lowercase letters and digits)", c => c.Prefix),
        new("default_profile", "profile", "sim", false, "Agent profile used when neither the item, the rig nor the command names one",
            c => c.DefaultProfile ?? "sim"),
        new("tui.layout", "name", "overview", false, "The TUI's layout (shipped: overview, agents-wall, items-focus)", c => c.TuiLayout ?? "overview"),
        new("tui.theme", "name", "dark", false, "The TUI's theme (shipped: dark, light, high-contrast)", c => c.TuiTheme ?? "dark"),
        new("tui.confirm_quit", "bool", "true", false, "q in the TUI asks first while agents or the demo run (Q never asks)",
            c => c.TuiConfirmQuit ? "true" : "false"),
        new("tui.mouse", "bool", "false", false, "The TUI takes mouse clicks (off: the terminal selects text, and moving the mouse sends nothing)",
            c => c.TuiMouse ? "true" : "false"),
        new("learnings.budget", "int", Core.Knowledge.LearningRules.DefaultBudget.ToString(System.Globalization.CultureInfo.InvariantCulture), false,
            "Characters of learnings 'orc prime' gives an agent at most (0: none)",
                c => c.LearningsBudget.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("mayor.stuck_after", "int", "300", false, "Seconds the mayor's screen may stay unchanged while it works before the deacon reports it stuck",
            c => c.MayorStuckAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("mayor.grace", "int", "30", false, "Seconds after the mayor starts before the deacon watches it",
            c => c.MayorGraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("notify.tmux", "bool", "true", false, "Show a message on the workspace's tmux clients for notified events", c => c.NotifyTmux ? "true" : "false"),
        new("notify.bell", "bool", "true", false, "Ring the bell of the workspace's tmux clients for notified events", c => c.NotifyBell ? "true" : "false"),
        new("notify.desktop", "auto|osc9|osc777|off", "auto", false,
            "Desktop notifications through the terminal (auto: OSC 777 on foot/urxvt-like terminals, OSC 9 elsewhere)", c => c.NotifyDesktop),
        new("notify.events", "list of convoy_landed|waiting|stuck", "convoy_landed,waiting,stuck", false, "Which events notify", c => string.Join(",",
            c.NotifyEvents)),
    ];

    public static ConfigKey? Find(string key) => All.FirstOrDefault(k => k.Key == key);

    public static string Known => string.Join(", ", All.Select(k => k.Key));
}
