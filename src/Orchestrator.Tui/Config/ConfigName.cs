namespace Orchestrator.Tui.Config;

/// <summary>
/// Names of layouts and themes: ASCII letters, digits, '-' and '_', starting with a letter or digit,
/// at most 64 characters. A name becomes a file name, so it can never hold '/', '..' or a control
/// character, and never escape the folders it is looked up in.
/// </summary>
public static class ConfigName
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && char.IsAsciiLetterOrDigit(name[0]) &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
