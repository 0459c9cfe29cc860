namespace Orchestrator.Tui.Config;

public enum SizeKind
{
    /// <summary>A share of the screen width (columns) or of the column height (panes), 1..100.</summary>
    Percent,

    /// <summary>A fixed number of terminal columns or rows.</summary>
    Absolute,

    /// <summary>What is left, shared equally with the other <c>*</c> sizes beside it.</summary>
    Fill,
}

/// <summary>A column width or pane height: <c>30%</c>, <c>40</c> (cells) or <c>*</c> (the rest).</summary>
public readonly record struct Size(SizeKind Kind, int Value)
{
    public const int MaxAbsolute = 1000;

    public static Size Fill => new(SizeKind.Fill, 0);

    public static Size Percent(int value) => new(SizeKind.Percent, value);

    public static Size Absolute(int value) => new(SizeKind.Absolute, value);

    /// <summary>Reads <c>30%</c>, <c>40</c> or <c>*</c>; null (with the reason) for anything else.</summary>
    public static Size? TryParse(string text, out string? problem)
    {
        problem = null;
        var t = text.Trim();
        if (t == "*") return Fill;
        if (t.EndsWith('%'))
        {
            if (int.TryParse(t.AsSpan(0, t.Length - 1), System.Globalization.NumberStyles.None, null, out var p) && p is >= 1 and <= 100)
                return Percent(p);
            problem = "a percentage must be a whole number from 1% to 100%";
            return null;
        }
        if (int.TryParse(t, System.Globalization.NumberStyles.None, null, out var a) && a is >= 1 and <= MaxAbsolute)
            return Absolute(a);
        problem = $"must be a percentage (30%), a number of cells from 1 to {MaxAbsolute} (40) or * for the rest";
        return null;
    }

    /// <summary>
    /// Splits <paramref name="total"/> cells among <paramref name="sizes"/> laid side by side:
    /// fixed and percentage sizes first (in order, never more than what is left), then the rest
    /// shared equally among the <c>*</c> sizes, or given to the last one when there is none.
    /// </summary>
    public static int[] Distribute(int total, IReadOnlyList<Size> sizes)
    {
        var result = new int[sizes.Count];
        if (sizes.Count == 0) return result;
        var left = Math.Max(0, total);
        for (var i = 0; i < sizes.Count; i++)
        {
            var want = sizes[i].Kind switch
            {
                SizeKind.Percent => total * sizes[i].Value / 100,
                SizeKind.Absolute => sizes[i].Value,
                _ => 0,
            };
            result[i] = Math.Min(want, left);
            left -= result[i];
        }
        var fills = Enumerable.Range(0, sizes.Count).Where(i => sizes[i].Kind == SizeKind.Fill).ToList();
        if (fills.Count == 0)
        {
            result[^1] += left;
            return result;
        }
        for (var k = 0; k < fills.Count; k++)
            result[fills[k]] = left / fills.Count + (k < left % fills.Count ? 1 : 0);
        return result;
    }

    /// <summary>The narrowest another column is made to give cells to a column's minimum.</summary>
    public const int MinShared = 20;

    /// <summary>
    /// <see cref="Distribute(int, IReadOnlyList{Size})"/>, then each size below its minimum
    /// (<paramref name="minimums"/>, 0 for none) takes cells from the widest others, never making
    /// one narrower than <see cref="MinShared"/> or its own minimum: on a small screen the column
    /// that must stay readable keeps its width, the rest shrink.
    /// </summary>
    public static int[] Distribute(int total, IReadOnlyList<Size> sizes, IReadOnlyList<int> minimums)
    {
        var result = Distribute(total, sizes);
        for (var i = 0; i < result.Length; i++)
        {
            while (result[i] < minimums[i])
            {
                var floor = Enumerable.Range(0, result.Length).Select(j => Math.Max(MinShared, minimums[j])).ToArray();
                var donor = Enumerable.Range(0,
                    result.Length).Where(j => j != i && result[j] > floor[j]).OrderByDescending(j => result[j] - floor[j]).FirstOrDefault(-1);
                if (donor < 0) break;
                var give = Math.Min(minimums[i] - result[i], result[donor] - floor[donor]);
                result[donor] -= give;
                result[i] += give;
            }
        }
        return result;
    }

    public override string ToString() => Kind switch
    {
        SizeKind.Percent => $"{Value}%",
        SizeKind.Absolute => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "*",
    };
}
