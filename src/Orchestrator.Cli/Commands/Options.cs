using System.CommandLine;

namespace Orchestrator.Cli.Commands;

/// <summary>Options shared by several verbs, spelled the same everywhere.</summary>
internal static class Options
{
    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of text (lists are arrays, as bd prints them)" };

    public static Option<bool> NoHeaders() => new("--no-headers") { Description = "Leave out the header row (for scripts; --json is steadier still)" };

    public static Argument<string> ItemId(string name = "ID") => new(name) { Description = "A work item id, e.g. hq-a1b2" };

    public static Argument<string[]> ItemIds(string name = "ID") => new(name) { Description = "One or more work item ids", Arity = ArgumentArity.OneOrMore };

    public static Option<string[]> Labels() => new("--label", "-l")
    {
        Description = "A label (repeat the option, or separate with commas)",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// How an error names an item field (as <see cref="Core.Items.WorkItemRules"/> calls it) on the command line:
    /// the TITLE argument is "title", every other field is its option (--label, --file, --deps…).
    /// </summary>
    public static string Named(string field) => field == "title" ? field : "--" + field;

    /// <summary>Splits "a,b" and repeated options into one list.</summary>
    public static string[] SplitList(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
}
