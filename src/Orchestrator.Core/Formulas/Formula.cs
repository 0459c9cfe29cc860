namespace Orchestrator.Core.Formulas;

/// <summary>One problem in a formula file, reported as <c>FILE:LINE: message</c>.</summary>
public sealed record FormulaError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>A formula that cannot be used: every problem found, each with its file and line.</summary>
public sealed class FormulaException(IReadOnlyList<FormulaError> errors, int exitCode = ExitCodes.Failure)
    : OrcException(errors[0] + (errors.Count > 1 ? $" (and {errors.Count - 1} more problem{(errors.Count == 2 ? "" : "s")}; see 'orc formula check')" : ""),
        exitCode)
{
    public IReadOnlyList<FormulaError> Errors { get; } = errors;
}

/// <summary>Where something was written: a file and a line (1-based).</summary>
public sealed record SourceLine(string File, int Line)
{
    public FormulaError Error(string message) => new(File, Line, message);

    public override string ToString() => $"{File}:{Line}";
}

/// <summary>A piece of text from a formula with where it starts; <see cref="Raw"/> is the text as written in the file (to place a <c>{{var}}</c> on its own
/// line).</summary>
public sealed record FormulaText(string Value, SourceLine At, string? Raw = null)
{
    /// <summary>Where <paramref name="fragment"/> first appears (its own line inside a multi-line string), or the start.</summary>
    public SourceLine Locate(string fragment)
    {
        var source = Raw ?? Value;
        var index = source.IndexOf(fragment, StringComparison.Ordinal);
        if (index < 0) return At;
        var line = At.Line;
        for (var i = 0; i < index; i++) if (source[i] == '\n') line++;
        return At with { Line = line };
    }
}

/// <summary>A variable of a formula: used as <c>{{name}}</c> in titles and descriptions.</summary>
public sealed record FormulaVar
{
    public required string Name { get; init; }
    /// <summary>The value when none is given; null: none (required, or empty).</summary>
    public string? Default { get; init; }
    /// <summary>Null when the file did not say (an override keeps the parent's).</summary>
    public bool? Required { get; init; }
    public string? Description { get; init; }
    public required SourceLine At { get; init; }

    public bool IsRequired => Required ?? false;
}

/// <summary>One step of a formula: it becomes one work item of the molecule. Null fields were not given (an override keeps the parent's).</summary>
public sealed record FormulaStep
{
    public required string Id { get; init; }
    public FormulaText? Title { get; init; }
    public FormulaText? Description { get; init; }
    /// <summary>Who should do it (a role name such as polecat, crew or reviewer), kept as the label role:NAME.</summary>
    public FormulaText? Role { get; init; }
    /// <summary>The agent profile to sling it with, kept as the label profile:NAME.</summary>
    public FormulaText? Profile { get; init; }
    /// <summary>Ids of the steps that must be closed first; null when not given.</summary>
    public IReadOnlyList<string>? Needs { get; init; }
    public SourceLine? NeedsAt { get; init; }
    /// <summary>The step's <c>[[steps]]</c> header.</summary>
    public required SourceLine At { get; init; }

    public IReadOnlyList<string> NeedsList => Needs ?? [];
}

/// <summary>
/// A formula: a named, reusable workflow template (TOML) with variables and steps that depend on
/// each other. It may extend another formula: it inherits the parent's variables and steps, adds
/// its own, and overrides the parent's by name or id (field by field).
/// </summary>
public sealed record Formula
{
    public required string Name { get; init; }
    /// <summary>Where it was read: a path, or "(shipped) formulas/NAME.formula.toml".</summary>
    public required string File { get; init; }
    /// <summary>Where the name is given (the <c>formula</c> key), or line 1.</summary>
    public required SourceLine At { get; init; }
    public FormulaText? Description { get; init; }
    /// <summary>The molecule's title (a template); default "NAME: first line of the description".</summary>
    public FormulaText? Title { get; init; }
    public string? Extends { get; init; }
    public SourceLine? ExtendsAt { get; init; }
    public IReadOnlyList<FormulaVar> Vars { get; init; } = [];
    public IReadOnlyList<FormulaStep> Steps { get; init; } = [];
    /// <summary>The chain of files this formula was made from, the formula's own first (after <see cref="FormulaRules.Resolve"/>).</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    public FormulaVar? Var(string name) => Vars.FirstOrDefault(v => v.Name == name);

    public FormulaStep? Step(string id) => Steps.FirstOrDefault(s => s.Id == id);

    /// <summary>The first line of the description, for lists.</summary>
    public string Summary => Description?.Value.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
}

/// <summary>A formula's steps with every variable replaced: what <c>orc pour</c> and <c>orc wisp</c> write.</summary>
public sealed record MoleculePlan(
    Formula Formula,
    string Title,
    string? Description,
    IReadOnlyDictionary<string, string> Vars,
    IReadOnlyList<PlannedStep> Steps);

public sealed record PlannedStep(string Id, string Title, string? Description, string? Role, string? Profile, IReadOnlyList<string> Needs);
