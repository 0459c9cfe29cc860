using YamlDotNet.RepresentationModel;

namespace Orchestrator.Tui.Config;

/// <summary>
/// Reads a layout file:
/// <code>
/// name: overview            # optional; must match the file name
/// focus: items              # optional; the first pane otherwise
/// columns:
///   - width: 30%            # 30% of the screen, 40 cells, or "*" for the rest
///     min_width: 56         # optional: never narrower (taken from the other columns) while the screen allows
///     panes:
///       - { pane: rigs, height: 40% }
///       - { pane: tiles, height: "*", tiles_per_row: 3 }
/// </code>
/// Every problem is an <see cref="Orchestrator.Core.OrcException"/> reading <c>FILE:LINE: problem</c>.
/// </summary>
public static class LayoutParser
{
    public static LayoutSpec Parse(string text, string path, string name)
    {
        var y = new ConfigYaml(path);
        var root = y.Root(text);
        y.OnlyKeys(root, "", "name", "focus", "columns");
        y.CheckName(root, name);

        var columnsNode = y.Sequence(root, "columns");
        if (columnsNode is null || columnsNode.Children.Count == 0)
            throw y.Error((YamlNode?)columnsNode ?? ConfigYaml.KeyNode(root, "columns"), "no panes: a layout needs 'columns', each with a list of 'panes'");

        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var columns = new List<LayoutColumn>();
        foreach (var c in columnsNode.Children)
        {
            if (c is not YamlMappingNode col) throw y.Error(c, "each column must be a mapping with 'width' and 'panes'");
            y.OnlyKeys(col, " in a column", "width", "min_width", "panes");
            var width = ReadSize(y, col, "width");
            var minWidth = 0;
            if (y.Scalar(col, "min_width") is { } minText
                && (!int.TryParse(minText, System.Globalization.NumberStyles.None, null, out minWidth) || minWidth is < 1 or > Size.MaxAbsolute))
                throw y.Error(ConfigYaml.Node(col, "min_width")!,
                    $"'min_width' must be a number of cells from 1 to {Size.MaxAbsolute}, got '{ConfigYaml.Clip(minText)}'");
            var panesNode = y.Sequence(col, "panes");
            if (panesNode is null || panesNode.Children.Count == 0)
                throw y.Error((YamlNode?)panesNode ?? col, "no panes: each column needs a list of 'panes'");
            var panes = new List<LayoutPane>();
            foreach (var p in panesNode.Children)
            {
                var pane = ReadPane(y, p);
                var line = p.Start.Line;
                if (!seen.TryAdd(pane.Kind, line))
                    throw y.Error(p, $"pane '{pane.Kind}' is listed twice (first on line {seen[pane.Kind]})");
                panes.Add(pane);
            }
            CheckPercentages(y, panesNode, panes.Select(p => p.Height), "pane heights in this column");
            columns.Add(new LayoutColumn(width, panes, minWidth));
        }
        CheckPercentages(y, columnsNode, columns.Select(c => c.Width), "column widths");

        var focus = y.Scalar(root, "focus");
        if (focus is not null)
        {
            var node = ConfigYaml.Node(root, "focus")!;
            if (!PaneKinds.All.Contains(focus, StringComparer.Ordinal))
                throw y.Error(node, $"unknown pane '{ConfigYaml.Clip(focus)}' for 'focus' (known: {string.Join(", ", PaneKinds.All)})");
            if (!seen.ContainsKey(focus))
                throw y.Error(node, $"'focus' is '{focus}', which is not a pane of this layout");
        }
        return new LayoutSpec(name, columns, focus);
    }

    private static LayoutPane ReadPane(ConfigYaml y, YamlNode node)
    {
        if (node is not YamlMappingNode m) throw y.Error(node, "each pane must be a mapping such as { pane: items, height: 50% }");
        y.OnlyKeys(m, " in a pane", "pane", "height", "tiles_per_row");
        var kind = y.Scalar(m, "pane");
        if (string.IsNullOrEmpty(kind)) throw y.Error(m, $"a pane needs 'pane:' (one of {string.Join(", ", PaneKinds.All)})");
        if (!PaneKinds.All.Contains(kind, StringComparer.Ordinal))
            throw y.Error(ConfigYaml.Node(m, "pane")!, $"unknown pane '{ConfigYaml.Clip(kind)}' (known: {string.Join(", ", PaneKinds.All)})");
        var height = ReadSize(y, m, "height");
        var tilesText = y.Scalar(m, "tiles_per_row");
        var tiles = kind == PaneKinds.Tiles ? LayoutPane.DefaultTilesPerRow : 0;
        if (tilesText is not null)
        {
            var n = ConfigYaml.Node(m, "tiles_per_row")!;
            if (kind != PaneKinds.Tiles) throw y.Error(n, $"'tiles_per_row' belongs to the tiles pane, not to '{kind}'");
            if (!int.TryParse(tilesText, System.Globalization.NumberStyles.None, null, out tiles) || tiles is < 1 or > LayoutPane.MaxTilesPerRow)
                throw y.Error(n, $"'tiles_per_row' must be a whole number from 1 to {LayoutPane.MaxTilesPerRow}, got '{ConfigYaml.Clip(tilesText)}'");
        }
        return new LayoutPane(kind, height, tiles);
    }

    private static Size ReadSize(ConfigYaml y, YamlMappingNode m, string key)
    {
        var text = y.Scalar(m, key);
        if (text is null) return Size.Fill;
        return Size.TryParse(text, out var problem) ??
            throw y.Error(ConfigYaml.Node(m, key)!, $"'{key}' is '{ConfigYaml.Clip(text)}': {problem}");
    }

    private static void CheckPercentages(ConfigYaml y, YamlNode at, IEnumerable<Size> sizes, string what)
    {
        var sum = sizes.Where(s => s.Kind == SizeKind.Percent).Sum(s => s.Value);
        if (sum > 100) throw y.Error(at, $"{what} add up to {sum}%, more than 100%");
    }
}
