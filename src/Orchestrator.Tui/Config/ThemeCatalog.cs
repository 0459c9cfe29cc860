namespace Orchestrator.Tui.Config;

/// <summary>Themes: <c>NAME.yaml</c> in the given folders, then the shipped ones; the default is <c>dark</c>.</summary>
public sealed class ThemeCatalog(params IEnumerable<string?> folders)
    : ConfigCatalog<ThemeSpec>("theme", "themes", ThemeSpec.DefaultName, folders)
{
    protected override ThemeSpec Parse(string text, string path, string name) => ThemeParser.Parse(text, path, name);

    protected override ThemeSpec BuiltIn => ThemeSpec.Dark;
}
