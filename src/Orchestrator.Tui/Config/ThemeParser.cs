using YamlDotNet.RepresentationModel;

namespace Orchestrator.Tui.Config;

/// <summary>
/// Reads a theme file:
/// <code>
/// name: dark                # optional; must match the file name
/// colors:   { background: black, foreground: gray, focus: brightcyan, ... }
/// states:   { working: brightgreen, idle: gray, ... }
/// status:   { open: white, in_progress: "#5fd7ff", ... }
/// </code>
/// Colours are names (<see cref="ThemeColor.Names"/>) or <c>"#rrggbb"</c> (quoted: a bare # starts a
/// YAML comment). Keys left out take the dark theme's value. Every problem is an
/// <see cref="Orchestrator.Core.OrcException"/> reading <c>FILE:LINE: problem</c>.
/// </summary>
public static class ThemeParser
{
    public static ThemeSpec Parse(string text, string path, string name)
    {
        var y = new ConfigYaml(path);
        var root = y.Root(text);
        y.OnlyKeys(root, "", "name", "colors", "states", "status");
        y.CheckName(root, name);
        var dark = ThemeSpec.Dark;
        return new ThemeSpec(
            name,
            Section(y, root, "colors", ThemeSpec.ColorRoles, dark.Colors),
            Section(y, root, "states", ThemeSpec.StateNames, dark.States),
            Section(y, root, "status", ThemeSpec.StatusNames, dark.Status));
    }

    private static Dictionary<string, ThemeColor> Section(ConfigYaml y, YamlMappingNode root, string key, IReadOnlyList<string> known,
        IReadOnlyDictionary<string, ThemeColor> defaults)
    {
        var result = new Dictionary<string, ThemeColor>(defaults, StringComparer.Ordinal);
        var section = y.Mapping(root, key);
        if (section is null) return result;
        y.OnlyKeys(section, $" in '{key}'", [.. known]);
        foreach (var (k, v) in section.Children)
        {
            var role = ((YamlScalarNode)k).Value!;
            if (v is not YamlScalarNode s) throw y.Error(v, $"'{role}' must be a colour name or \"#rrggbb\"");
            if (string.IsNullOrEmpty(s.Value))
                throw y.Error(k, $"'{role}' has no colour (quote #rrggbb colours: \"#1e1e1e\"; a bare # starts a YAML comment)");
            if (!ThemeColor.TryParse(s.Value, out var color))
                throw y.Error(v, $"'{role}' is '{ConfigYaml.Clip(s.Value)}', not a colour: use \"#rrggbb\" or one of {string.Join(", ", ThemeColor.Names)}");
            result[role] = color;
        }
        return result;
    }
}
