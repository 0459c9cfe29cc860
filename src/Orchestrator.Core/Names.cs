using Orchestrator.Core.Text;

namespace Orchestrator.Core;

/// <summary>
/// Names of rigs and agents become directory names, git branch parts and tmux session/window
/// names. Only lowercase letters, digits, '-' and '_' are allowed, starting with a letter or digit,
/// so none of them can be read as a path (<c>../</c>), a tmux target (<c>: . %</c>), an option
/// (a leading '-') or a git revision (<c>~ ^ @{</c>).
/// </summary>
public static class Names
{
    public const int MaxLength = 32;

    public static string Validate(string? name, string what)
    {
        if (string.IsNullOrEmpty(name)) throw new OrcException($"{what}: must not be empty", ExitCodes.Usage);
        if (name.Length > MaxLength) throw new OrcException($"{what}: '{TerminalText.Line(Clip(name))}' is longer than {MaxLength} characters",
            ExitCodes.Usage);
        if (!(char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0])) ||
            !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            throw new OrcException($"{what}: '{TerminalText.Line(Clip(name))}' is not a valid name (lowercase letters, digits, '-' and '_', starting with a letter or digit)", ExitCodes.Usage);
        return name;
    }

    public static bool IsValid(string? name)
    {
        try { Validate(name, "name"); return true; }
        catch (OrcException) { return false; }
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
