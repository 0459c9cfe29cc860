namespace Orchestrator.Tui.Config;

/// <summary>The panes a layout can show (the <c>pane:</c> values of a layout file).</summary>
public static class PaneKinds
{
    public const string Rigs = "rigs";
    public const string Items = "items";
    public const string Details = "details";
    public const string Tiles = "tiles";
    public const string Queue = "queue";
    public const string Mail = "mail";
    public const string Convoys = "convoys";
    public const string Feed = "feed";
    public const string Review = "review";

    public static readonly IReadOnlyList<string> All = [Rigs, Items, Details, Tiles, Queue, Mail, Convoys, Feed, Review];
}

/// <summary>
/// Which panes the TUI shows, where and how large: columns from left to right, each a stack of
/// panes from top to bottom. Read from <c>layouts/NAME.yaml</c> by <see cref="LayoutParser"/>.
/// </summary>
/// <param name="Name">The layout's name (its file name without <c>.yaml</c>).</param>
/// <param name="Focus">The pane focused at start; null means the first pane (see <see cref="FocusedPane"/>).</param>
public sealed record LayoutSpec(string Name, IReadOnlyList<LayoutColumn> Columns, string? Focus)
{
    public const string DefaultName = "overview";

    /// <summary>Every pane, column by column, top to bottom.</summary>
    public IReadOnlyList<LayoutPane> AllPanes => [.. Columns.SelectMany(c => c.Panes)];

    /// <summary>The pane focused at start: <see cref="Focus"/>, else the first pane.</summary>
    public string FocusedPane => Focus ?? Columns[0].Panes[0].Kind;

    public bool Has(string kind) => Columns.Any(c => c.Panes.Any(p => p.Kind == kind));

    /// <summary>Rows a pane needs to show one line of content between its borders.</summary>
    public const int MinPaneHeight = 3;

    /// <summary>
    /// The smallest screen the layout is readable on: each column at its <c>min_width</c> (or
    /// <see cref="Size.MinShared"/>), each pane of the tallest column one line of content, and the status line.
    /// </summary>
    public (int Width, int Height) MinimumSize =>
        (Columns.Sum(c => Math.Max(c.MinWidth, Size.MinShared)), Columns.Max(c => c.Panes.Count) * MinPaneHeight + 1);

    public bool Fits(int width, int height) => width >= MinimumSize.Width && height >= MinimumSize.Height;

    /// <summary>
    /// What a screen too small for the chosen layout shows instead: one column, the items above
    /// the agents' previews and the events. Built in, so it is there whatever the layout files say.
    /// </summary>
    public static LayoutSpec Compact { get; } = new("compact",
        [new LayoutColumn(Size.Fill, [
            new LayoutPane(PaneKinds.Items, Size.Percent(45), 0),
            new LayoutPane(PaneKinds.Tiles, Size.Fill, 1),
            new LayoutPane(PaneKinds.Feed, Size.Absolute(4), 0)])],
        PaneKinds.Items);
}

/// <param name="Width">Share of the screen width.</param>
/// <param name="Panes">Top to bottom; never empty.</param>
/// <param name="MinWidth">Cells the column keeps at least (0: none), taken from the other columns down to <see cref="Size.MinShared"/> each.</param>
public sealed record LayoutColumn(Size Width, IReadOnlyList<LayoutPane> Panes, int MinWidth = 0);

/// <param name="Kind">One of <see cref="PaneKinds.All"/>.</param>
/// <param name="Height">Share of the column's height.</param>
/// <param name="TilesPerRow">For <c>tiles</c>: agent previews per row, 1..8 (default 3); 0 for other panes.</param>
public sealed record LayoutPane(string Kind, Size Height, int TilesPerRow)
{
    public const int DefaultTilesPerRow = 3;
    public const int MaxTilesPerRow = 8;
}
