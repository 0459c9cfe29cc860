using Orchestrator.Adapters.Storage;
using Orchestrator.Core;
using Orchestrator.Core.Ledger;
using Orchestrator.Core.Text;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Adapters.Workspace;

/// <summary>
/// <c>.orc/config.yaml</c>: the workspace's settings. Read by <see cref="YamlFile"/> (YamlDotNet's
/// representation model) and every error names the file and line.
/// Keys orc does not know are kept when the file is written back.
/// </summary>
public sealed class WorkspaceConfig
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    /// <summary>Id prefix of the workspace's own items.</summary>
    public string Prefix { get; set; } = "hq";

    /// <summary>The agent profile slung agents use unless told otherwise.</summary>
    public string? DefaultProfile { get; set; }

    /// <summary><c>tui: layout:</c>, the TUI's layout name (null: the TUI's default).</summary>
    public string? TuiLayout { get; set; }

    /// <summary><c>tui: theme:</c>, the TUI's theme name (null: the TUI's default).</summary>
    public string? TuiTheme { get; set; }

    /// <summary><c>tui: confirm_quit:</c>, whether <c>q</c> asks before quitting while agents or the demo run (<c>Q</c> never asks).</summary>
    public bool TuiConfirmQuit { get; set; } = true;

    /// <summary><c>tui: mouse:</c>, whether the TUI asks the terminal for mouse clicks (off: the terminal selects text itself).</summary>
    public bool TuiMouse { get; set; }

    /// <summary><c>mayor: stuck_after:</c>, seconds without a change before the mayor is reported stuck (as a rig's <c>stuck_after</c>).</summary>
    public int MayorStuckAfterSeconds { get; set; } = 300;
    /// <summary><c>mayor: grace:</c>, seconds after a start before the mayor is watched (as a rig's <c>grace</c>).</summary>
    public int MayorGraceSeconds { get; set; } = 30;
    /// <summary><c>learnings: budget:</c>, how many characters of learnings <c>orc prime</c> shows at most (0: none).</summary>
    public int LearningsBudget { get; set; } = Core.Knowledge.LearningRules.DefaultBudget;

    /// <summary><c>notify: tmux:</c>, show a tmux message on the workspace's server when an event is notified.</summary>
    public bool NotifyTmux { get; set; } = true;

    /// <summary><c>notify: bell:</c>, ring the bell of the workspace server's clients.</summary>
    public bool NotifyBell { get; set; } = true;

    /// <summary><c>notify: desktop:</c>, desktop notifications: auto, osc9, osc777 or off.</summary>
    public string NotifyDesktop { get; set; } = "auto";

    /// <summary><c>notify: events:</c>, which events are notified.</summary>
    public IReadOnlyList<string> NotifyEvents { get; set; } = NotifyEventNames;

    /// <summary>The events a notification can be raised for.</summary>
    public static readonly IReadOnlyList<string> NotifyEventNames = ["convoy_landed", "waiting", "stuck"];

    /// <summary>The values <c>notify.desktop</c> takes.</summary>
    public static readonly IReadOnlyList<string> DesktopModes = ["auto", "osc9", "osc777", "off"];

    private WorkspaceConfig Copy() => (WorkspaceConfig)MemberwiseClone();

    public static WorkspaceConfig Load(string path) => Load(path, null);

    /// <summary>Reads the workspace's file over <paramref name="defaults"/> (the user's settings), which it overrides key by key.</summary>
    public static WorkspaceConfig Load(string path, WorkspaceConfig? defaults)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{path}: cannot read the workspace configuration: {ex.Message}");
        }
        return Parse(text, path, defaults);
    }

    /// <summary>
    /// The user's own settings (<c>~/.config/orc/config.yaml</c>): the same keys as a workspace's
    /// except <c>prefix</c> and <c>version</c>, which belong to a workspace. Missing file: null.
    /// </summary>
    public static WorkspaceConfig? LoadUser(string? path)
    {
        if (path is null || !File.Exists(path)) return null;
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OrcException($"{path}: cannot read the user configuration: {ex.Message}");
        }
        return Parse(text, path, null, user: true);
    }

    public static WorkspaceConfig Parse(string text, string path, WorkspaceConfig? defaults = null, bool user = false)
    {
        var config = defaults?.Copy() ?? new WorkspaceConfig();
        var root = YamlFile.Parse(text, path, "settings").Root;
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var line = keyNode.Start.Line;
            switch (key)
            {
                case "version" or "prefix" when user:
                    throw new OrcException($"{path}:{line}: '{key}' belongs to a workspace's .orc/config.yaml, not to the user's configuration");
                case "version":
                    if (!int.TryParse(Scalar(valueNode, path, key), out var v) || v < 1)
                        throw new OrcException($"{path}:{line}: 'version' must be a positive integer");
                    if (v > CurrentVersion)
                        throw new OrcException($"{path}:{line}: this workspace has config version {v}; this orc understands up to {CurrentVersion} (upgrade orc)");
                    config.Version = v;
                    break;
                case "prefix":
                    var p = Scalar(valueNode, path, key);
                    if (!IdGenerator.IsValidPrefix(p))
                        throw new OrcException($"{path}:{line}: 'prefix' must be lowercase letters and digits starting with a letter, got '{TerminalText.Line(p)}'");
                    config.Prefix = p;
                    break;
                case "default_profile":
                    config.DefaultProfile = Scalar(valueNode, path, key);
                    break;
                case "tui":
                    ParseTui(config, valueNode, path);
                    break;
                case "learnings":
                    ParseLearnings(config, valueNode, path);
                    break;
                case "mayor":
                    ParseMayor(config, valueNode, path);
                    break;
                case "notify":
                    ParseNotify(config, valueNode, path);
                    break;
                default:
                    break; // later sections (rigs, tui, notifications) are read by their own owners
            }
        }
        return config;
    }

    private static void ParseTui(WorkspaceConfig config, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: null or "" }) return;
        if (node is not YamlMappingNode tui)
            throw new OrcException($"{path}:{node.Start.Line}: 'tui' must be a mapping (layout: NAME, theme: NAME, confirm_quit: true, mouse: false)");
        foreach (var (keyNode, valueNode) in tui.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (key == "confirm_quit")
            {
                config.TuiConfirmQuit = Bool(valueNode, path, "tui.confirm_quit");
                continue;
            }
            if (key == "mouse")
            {
                config.TuiMouse = Bool(valueNode, path, "tui.mouse");
                continue;
            }
            if (key is not ("layout" or "theme"))
                throw new OrcException($"{path}:{keyNode.Start.Line}: unknown setting 'tui.{TerminalText.Line(key)}' (known: tui.layout, tui.theme, tui.confirm_quit, tui.mouse)");
            var name = Scalar(valueNode, path, "tui." + key);
            if (!IsTuiName(name))
                throw new OrcException($"{path}:{keyNode.Start.Line}: 'tui.{key}' must be a {key} name (letters, digits, '-' and '_'), got '{TerminalText.Line(name)}'");
            if (key == "layout") config.TuiLayout = name;
            else config.TuiTheme = name;
        }
    }

    private static void ParseLearnings(WorkspaceConfig config, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: null or "" }) return;
        if (node is not YamlMappingNode map)
            throw new OrcException($"{path}:{node.Start.Line}: 'learnings' must be a mapping (budget: CHARACTERS)");
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (key != "budget")
                throw new OrcException($"{path}:{keyNode.Start.Line}: unknown setting 'learnings.{TerminalText.Line(key)}' (known: learnings.budget)");
            var text = Scalar(valueNode, path, "learnings.budget");
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
                out var budget) || budget > Core.Knowledge.LearningRules.MaxBudget)
                throw new OrcException($"{path}:{keyNode.Start.Line}: 'learnings.budget' must be a number of characters from 0 to {Core.Knowledge.LearningRules.MaxBudget:N0}, got '{TerminalText.Line(text)}'");
            config.LearningsBudget = budget;
        }
    }

    private static void ParseMayor(WorkspaceConfig config, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: null or "" }) return;
        if (node is not YamlMappingNode map)
            throw new OrcException($"{path}:{node.Start.Line}: 'mayor' must be a mapping (stuck_after: SECONDS, grace: SECONDS)");
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var (min, max) = key switch
            {
                "stuck_after" => (10, 86400),
                "grace" => (0, 3600),
                _ => throw new OrcException($"{path}:{keyNode.Start.Line}: unknown setting 'mayor.{TerminalText.Line(key)}' (known: mayor.stuck_after, mayor.grace)"),
            };
            var text = Scalar(valueNode, path, "mayor." + key);
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
                out var seconds) || seconds < min || seconds > max)
                throw new OrcException($"{path}:{keyNode.Start.Line}: 'mayor.{key}' must be a number of seconds from {min} to {max}, got '{TerminalText.Line(text)}'");
            if (key == "stuck_after") config.MayorStuckAfterSeconds = seconds;
            else config.MayorGraceSeconds = seconds;
        }
    }

    private static void ParseNotify(WorkspaceConfig config, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: null or "" }) return;
        if (node is not YamlMappingNode map)
            throw new OrcException($"{path}:{node.Start.Line}: 'notify' must be a mapping (tmux: true, bell: true, desktop: auto, events: [...])");
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var line = keyNode.Start.Line;
            switch (key)
            {
                case "tmux":
                    config.NotifyTmux = Bool(valueNode, path, "notify.tmux");
                    break;
                case "bell":
                    config.NotifyBell = Bool(valueNode, path, "notify.bell");
                    break;
                case "desktop":
                    var mode = Scalar(valueNode, path, "notify.desktop");
                    if (!DesktopModes.Contains(mode))
                        throw new OrcException($"{path}:{line}: 'notify.desktop' must be one of {string.Join(", ", DesktopModes)}, got '{TerminalText.Line(mode)}'");
                    config.NotifyDesktop = mode;
                    break;
                case "events":
                    config.NotifyEvents = Events(valueNode, path);
                    break;
                default:
                    throw new OrcException($"{path}:{line}: unknown setting 'notify.{TerminalText.Line(key)}' (known: notify.tmux, notify.bell, notify.desktop, notify.events)");
            }
        }
    }

    private static bool Bool(YamlNode node, string path, string key) =>
        Scalar(node, path, key).ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            var other => throw new OrcException($"{path}:{node.Start.Line}: '{key}' must be true or false, got '{TerminalText.Line(other)}'"),
        };

    private static List<string> Events(YamlNode node, string path)
    {
        List<string> names = node switch
        {
            YamlScalarNode s => (s.Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
            YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode cs ? cs.Value
                ?? "" : throw new OrcException($"{path}:{c.Start.Line}: 'notify.events' must be a list of event names")).ToList(),
            _ => throw new OrcException($"{path}:{node.Start.Line}: 'notify.events' must be a list of event names"),
        };
        foreach (var n in names)
            if (!NotifyEventNames.Contains(n))
                throw new OrcException($"{path}:{node.Start.Line}: 'notify.events' has unknown event '{TerminalText.Line(n)}' (known: {string.Join(", ", NotifyEventNames)})");
        return names.Distinct().ToList();
    }

    /// <summary>Layout and theme names become file names: letters, digits, '-' and '_', starting with a letter or digit.</summary>
    private static bool IsTuiName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Scalar(YamlNode node, string path, string key) =>
        node is YamlScalarNode s ? s.Value ?? "" : throw new OrcException($"{path}:{node.Start.Line}: '{key}' must be a single value");

    public string ToYaml() =>
        $"""
        # orc workspace configuration (every key: docs/configuration.md, or run orc config list)
        version: {Version}
        # id prefix of the workspace's own work items (rigs have their own)
        prefix: {Prefix}
        {(DefaultProfile is null ? "# default_profile: sim" : $"default_profile: {DefaultProfile}")}
        # the TUI's layout and theme (shipped: overview, agents-wall, items-focus; dark, light, high-contrast)
        {TuiYaml()}
        # how many characters of learnings 'orc prime' gives an agent (0: none)
        {(LearningsBudget == Core.Knowledge.LearningRules.DefaultBudget ? $"# learnings: {{ budget: {LearningsBudget} }}" : $"learnings: {{ budget: {LearningsBudget} }}")}

        """;

    private string TuiYaml()
    {
        if (TuiLayout is null && TuiTheme is null && TuiConfirmQuit && !TuiMouse) return "# tui: { layout: overview, theme: dark }";
        var parts = new List<string>();
        if (TuiLayout is not null) parts.Add($"layout: {TuiLayout}");
        if (TuiTheme is not null) parts.Add($"theme: {TuiTheme}");
        if (!TuiConfirmQuit) parts.Add("confirm_quit: false");
        if (TuiMouse) parts.Add("mouse: true");
        return $"tui: {{ {string.Join(", ", parts)} }}";
    }
}
