using Orchestrator.Core.Text;

namespace Orchestrator.Core.Rigs;

/// <summary>
/// A rig's gate is one command line, written the same way everywhere (<c>orc rig add --gate "make
/// test"</c>, <c>orc rig set app gate "make test"</c>, <c>gate: make test</c> in the rig file) and
/// shown back as given. It runs without a shell unless it uses shell syntax.
/// </summary>
public static class GateLine
{
    /// <summary>The words it runs: <c>sh -c LINE</c> when the line needs a shell, else the line split into words.</summary>
    public static IReadOnlyList<string> Argv(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return [];
        if (CommandWords.UsesShell(line)) return ["sh", "-c", line];
        try { return CommandWords.Split(line); }
        catch (FormatException) { return ["sh", "-c", line]; } // checked when set; sh reports it if one slips through
    }

    /// <summary>Why <paramref name="line"/> cannot be a gate (an unclosed quote), or null when it can.</summary>
    public static string? Problem(string line)
    {
        if (line.Any(c => char.IsControl(c) && c is not '\t')) return "must be one line without control characters";
        if (CommandWords.UsesShell(line)) return null; // sh reads it; an unclosed quote there is sh's to report
        try { CommandWords.Split(line); return null; }
        catch (FormatException e) { return e.Message; }
    }

    /// <summary>
    /// The line from <c>--gate</c> options: one option is the line itself; several (the old form,
    /// one word each: <c>--gate dotnet --gate test</c>) are those words written as one line.
    /// </summary>
    public static string FromOptions(IReadOnlyList<string> options) => options.Count switch
    {
        0 => "",
        1 => options[0].Trim(),
        _ => FromWords(options),
    };

    /// <summary>
    /// The line for a gate kept as words (rig files before one syntax: <c>gate: [dotnet, test]</c>);
    /// <c>[sh, -c, LINE]</c>, as <c>orc rig set</c> wrote them, is LINE: run directly or by sh as
    /// <see cref="Argv"/> decides, it does what sh did with it.
    /// </summary>
    public static string FromWords(IReadOnlyList<string> words) =>
        words.Count == 3 && words[0] == "sh" && words[1] == "-c" ? words[2] : CommandWords.Join(words);
}
