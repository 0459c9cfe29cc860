namespace Orchestrator.Tui.Config;

/// <summary>Layouts: <c>NAME.yaml</c> in the given folders, then the shipped ones; the default is <c>overview</c>.</summary>
public sealed class LayoutCatalog(params IEnumerable<string?> folders)
    : ConfigCatalog<LayoutSpec>("layout", "layouts", LayoutSpec.DefaultName, folders)
{
    protected override LayoutSpec Parse(string text, string path, string name) => LayoutParser.Parse(text, path, name);

    protected override LayoutSpec BuiltIn { get; } = new(
        LayoutSpec.DefaultName,
        [
            new LayoutColumn(Size.Percent(35), [new LayoutPane(PaneKinds.Rigs, Size.Percent(40), 0), new LayoutPane(PaneKinds.Items, Size.Fill, 0)]),
            new LayoutColumn(Size.Fill, [new LayoutPane(PaneKinds.Tiles, Size.Percent(60), 2), new LayoutPane(PaneKinds.Feed, Size.Fill, 0)]),
        ],
        PaneKinds.Items);
}
