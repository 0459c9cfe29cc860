using System.Globalization;
using Terminal.Gui.Drawing;

namespace Orchestrator.Tui.Config;

/// <summary>
/// A theme colour as red, green and blue. Written in a theme file as a Terminal.Gui colour name
/// (black, blue, green, cyan, red, magenta, yellow or brown, gray, darkgray, brightblue, brightgreen,
/// brightcyan, brightred, brightmagenta, brightyellow, white; any case) or as <c>"#rrggbb"</c>.
/// A name stands for the usual xterm value of that ANSI colour, so <see cref="ToSixteen"/> gives the
/// named colour back.
/// </summary>
public readonly record struct ThemeColor(byte R, byte G, byte B)
{
    private static readonly (string Name, ColorName16 Sixteen, ThemeColor Rgb)[] Palette =
    [
        ("black", ColorName16.Black, new(0, 0, 0)),
        ("blue", ColorName16.Blue, new(0, 0, 238)),
        ("green", ColorName16.Green, new(0, 205, 0)),
        ("cyan", ColorName16.Cyan, new(0, 205, 205)),
        ("red", ColorName16.Red, new(205, 0, 0)),
        ("magenta", ColorName16.Magenta, new(205, 0, 205)),
        ("yellow", ColorName16.Yellow, new(205, 205, 0)),
        ("gray", ColorName16.Gray, new(229, 229, 229)),
        ("darkgray", ColorName16.DarkGray, new(127, 127, 127)),
        ("brightblue", ColorName16.BrightBlue, new(92, 92, 255)),
        ("brightgreen", ColorName16.BrightGreen, new(0, 255, 0)),
        ("brightcyan", ColorName16.BrightCyan, new(0, 255, 255)),
        ("brightred", ColorName16.BrightRed, new(255, 0, 0)),
        ("brightmagenta", ColorName16.BrightMagenta, new(255, 0, 255)),
        ("brightyellow", ColorName16.BrightYellow, new(255, 255, 0)),
        ("white", ColorName16.White, new(255, 255, 255)),
    ];

    /// <summary>The colour names a theme file may use, besides <c>#rrggbb</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Palette.Select(p => p.Name)];

    public static ThemeColor FromName(ColorName16 name) => Palette.First(p => p.Sixteen == name).Rgb;

    /// <summary>Reads a colour name (any case; <c>brown</c> is <c>yellow</c>) or <c>#rrggbb</c>.</summary>
    public static bool TryParse(string? text, out ThemeColor color)
    {
        color = default;
        var t = (text ?? "").Trim();
        if (t.Length == 7 && t[0] == '#' && uint.TryParse(t.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var rgb))
        {
            color = new ThemeColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
            return true;
        }
        if (t.Equals("brown", StringComparison.OrdinalIgnoreCase)) t = "yellow";
        foreach (var p in Palette)
        {
            if (!p.Name.Equals(t, StringComparison.OrdinalIgnoreCase)) continue;
            color = p.Rgb;
            return true;
        }
        return false;
    }

    /// <summary>
    /// The nearest of the 16 ANSI colours, for terminals without true colour. Greyish or very dark
    /// colours become the nearest of black, darkgray, gray and white; any other colour keeps its hue
    /// (the one of red, green, blue, yellow, cyan, magenta its strongest channels make) and becomes
    /// the normal or bright version of it, whichever is nearer. Plain RGB distance alone would turn
    /// pale and mid-tone colours grey. The 16 named colours map to themselves.
    /// </summary>
    public ColorName16 ToSixteen()
    {
        int max = Math.Max(R, Math.Max(G, B)), min = Math.Min(R, Math.Min(G, B));
        if (max < 64 || (max - min) * 4 < max)
            return Nearest(ColorName16.Black, ColorName16.DarkGray, ColorName16.Gray, ColorName16.White);
        var strong = (R - min) * 2 >= max - min ? 1 : 0;
        strong |= (G - min) * 2 >= max - min ? 2 : 0;
        strong |= (B - min) * 2 >= max - min ? 4 : 0;
        return strong switch
        {
            1 => Nearest(ColorName16.Red, ColorName16.BrightRed),
            2 => Nearest(ColorName16.Green, ColorName16.BrightGreen),
            3 => Nearest(ColorName16.Yellow, ColorName16.BrightYellow),
            4 => Nearest(ColorName16.Blue, ColorName16.BrightBlue),
            5 => Nearest(ColorName16.Magenta, ColorName16.BrightMagenta),
            _ => Nearest(ColorName16.Cyan, ColorName16.BrightCyan), // 6; 7 cannot happen when max > min
        };
    }

    private ColorName16 Nearest(params ReadOnlySpan<ColorName16> candidates)
    {
        var best = candidates[0];
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var p = FromName(c);
            int dr = R - p.R, dg = G - p.G, db = B - p.B;
            var d = dr * dr + dg * dg + db * db;
            if (d >= bestDistance) continue;
            best = c;
            bestDistance = d;
        }
        return best;
    }

    /// <summary>This colour for Terminal.Gui; with <paramref name="sixteen"/>, the nearest ANSI colour instead.</summary>
    public Color ToColor(bool sixteen = false)
    {
        if (!sixteen) return new Color(R, G, B);
        var name = ToSixteen();
        return new Color(in name);
    }

    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}
