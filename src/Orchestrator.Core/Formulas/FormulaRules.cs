using System.Text.RegularExpressions;
using Orchestrator.Core.Items;
using Orchestrator.Core.Text;

namespace Orchestrator.Core.Formulas;

/// <summary>
/// What makes a formula usable, with no I/O: its own file's checks, inheritance (<c>extends</c>),
/// the checks of the whole (every need a step, no cycle, every <c>{{var}}</c> declared), and turning
/// it into a molecule plan with the variables given. Every problem names its file and line.
/// </summary>
public static partial class FormulaRules
{
    public const int MaxSteps = 200;
    public const int MaxVars = 100;
    public const int MaxExtendsDepth = 16;

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>Variable names: a letter or '_', then letters, digits, '_' or '-' (at most 64).</summary>
    public static bool IsVarName(string name) =>
        name.Length is > 0 and <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_') &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Step ids and formula names follow the rules of rig and agent names (lowercase, digits, '-', '_').</summary>
    public static bool IsStepId(string id) => Names.IsValid(id);

    /// <summary>The <c>{{name}}</c> placeholders in <paramref name="text"/>, as (name, exact text).</summary>
    public static IEnumerable<(string Name, string Text)> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => (m.Groups[1].Value, m.Value));

    /// <summary>
    /// Replaces each <c>{{name}}</c> with its value, in one pass: a value is inserted as it is and
    /// never expanded again (a value holding <c>{{x}}</c> stays that text). Unknown names are left alone.
    /// </summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> vars) =>
        Placeholder().Replace(template, m => vars.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>Problems within one file, before inheritance: names, ids, a step defined twice.</summary>
    public static List<FormulaError> CheckOwn(Formula f)
    {
        var errors = new List<FormulaError>();
        if (!Names.IsValid(f.Name))
            errors.Add(f.At.Error($"'{TerminalText.Line(f.Name)}' is not a valid formula name (lowercase letters, digits, '-' and '_', at most {Names.MaxLength})"));
        if (f.Vars.Count > MaxVars) errors.Add(f.At.Error($"{f.Vars.Count} variables; the limit is {MaxVars}"));
        if (f.Steps.Count > MaxSteps) errors.Add(f.At.Error($"{f.Steps.Count} steps; the limit is {MaxSteps}"));
        foreach (var v in f.Vars)
            if (!IsVarName(v.Name))
                errors.Add(v.At.Error($"'{TerminalText.Line(v.Name)}' is not a valid variable name (a letter or '_', then letters, digits, '_' or '-')"));
        var seen = new Dictionary<string, SourceLine>(StringComparer.Ordinal);
        foreach (var s in f.Steps)
        {
            if (!IsStepId(s.Id))
                errors.Add(s.At.Error($"step id '{TerminalText.Line(s.Id)}' is not valid (lowercase letters, digits, '-' and '_', at most {Names.MaxLength})"));
            else if (seen.TryGetValue(s.Id, out var first))
                errors.Add(s.At.Error($"step '{s.Id}' is defined twice (first at line {first.Line})"));
            else seen[s.Id] = s.At;
        }
        return errors;
    }

    /// <summary>
    /// The formula with its ancestors folded in: the parent's variables and steps first, each
    /// overridden field by field by the child's of the same name or id, the child's new ones after.
    /// </summary>
    public static (Formula? Resolved, List<FormulaError> Errors) Resolve(Formula f, Func<string, Formula?> find)
    {
        var errors = CheckOwn(f);
        var chain = new List<Formula> { f };
        var current = f;
        while (current.Extends is { } parentName)
        {
            var at = current.ExtendsAt ?? current.At;
            if (chain.Any(c => c.Name == parentName))
            {
                errors.Add(at.Error($"extends cycle: {string.Join(" → ", chain.Select(c => c.Name).Append(parentName))}"));
                return (null, errors);
            }
            if (chain.Count > MaxExtendsDepth)
            {
                errors.Add(at.Error($"extends goes more than {MaxExtendsDepth} formulas deep"));
                return (null, errors);
            }
            var parent = find(parentName);
            if (parent is null)
            {
                errors.Add(at.Error($"extends '{TerminalText.Line(parentName)}', which is not a formula here (see 'orc formula list')"));
                return (null, errors);
            }
            errors.AddRange(CheckOwn(parent));
            chain.Add(parent);
            current = parent;
        }
        if (errors.Count > 0) return (null, errors);

        var merged = chain[^1];
        for (var i = chain.Count - 2; i >= 0; i--) merged = Merge(merged, chain[i]);
        return (merged with { Steps = DependencyOrder(merged.Steps), Chain = chain.Select(c => c.File).ToList(), Extends = f.Extends, ExtendsAt = f.ExtendsAt },
            errors);
    }

    /// <summary>
    /// The steps with each one after the steps it needs, otherwise in the order written (so a step
    /// a child formula adds in front of its parent's comes first). Left as written when there is a cycle.
    /// </summary>
    public static List<FormulaStep> DependencyOrder(IReadOnlyList<FormulaStep> steps)
    {
        var ids = steps.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var left = steps.ToList();
        var order = new List<FormulaStep>();
        while (left.Count > 0)
        {
            var next = left.FirstOrDefault(s => s.NeedsList.All(n => placed.Contains(n) || !ids.Contains(n) || n == s.Id));
            if (next is null) return [.. steps];
            order.Add(next);
            placed.Add(next.Id);
            left.Remove(next);
        }
        return order;
    }

    private static Formula Merge(Formula parent, Formula child)
    {
        var vars = parent.Vars.ToList();
        foreach (var v in child.Vars)
        {
            var i = vars.FindIndex(x => x.Name == v.Name);
            if (i < 0) { vars.Add(v); continue; }
            var p = vars[i];
            vars[i] = v with
            {
                Default = v.Default ?? p.Default,
                // A child that gives a default to a required variable makes it optional.
                Required = v.Required ?? (v.Default is not null ? false : p.Required),
                Description = v.Description ?? p.Description,
            };
        }
        var steps = parent.Steps.ToList();
        foreach (var s in child.Steps)
        {
            var i = steps.FindIndex(x => x.Id == s.Id);
            if (i < 0) { steps.Add(s); continue; }
            var p = steps[i];
            steps[i] = s with
            {
                Title = s.Title ?? p.Title,
                Description = s.Description ?? p.Description,
                Role = s.Role ?? p.Role,
                Profile = s.Profile ?? p.Profile,
                Needs = s.Needs ?? p.Needs,
                NeedsAt = s.Needs is null ? p.NeedsAt : s.NeedsAt,
            };
        }
        return child with
        {
            Description = child.Description ?? parent.Description,
            Title = child.Title ?? parent.Title,
            Vars = vars,
            Steps = steps,
        };
    }

    /// <summary>Problems of a resolved formula: steps without a title, needs that name no step, cycles, unknown variables, unknown profiles.</summary>
    public static List<FormulaError> Validate(Formula f, IReadOnlyCollection<string>? profiles = null)
    {
        var errors = new List<FormulaError>();
        if (f.Steps.Count == 0) errors.Add(f.At.Error("has no steps (add at least one [[steps]] table)"));
        var ids = f.Steps.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var declared = f.Vars.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var v in f.Vars)
            if (v.IsRequired && v.Default is not null)
                errors.Add(v.At.Error($"variable '{v.Name}' is required and has a default; keep one of the two"));

        Placeholders(f.Title, "the title", declared, errors);
        Placeholders(f.Description, "the description", declared, errors);
        foreach (var s in f.Steps)
        {
            if (s.Title is null || string.IsNullOrWhiteSpace(s.Title.Value))
                errors.Add(s.At.Error($"step '{s.Id}' has no title"));
            Placeholders(s.Title, $"the title of step '{s.Id}'", declared, errors);
            Placeholders(s.Description, $"the description of step '{s.Id}'", declared, errors);
            foreach (var n in s.NeedsList)
            {
                var at = s.NeedsAt ?? s.At;
                if (n == s.Id) errors.Add(at.Error($"step '{s.Id}' needs itself"));
                else if (!ids.Contains(n))
                    errors.Add(at.Error($"step '{s.Id}' needs '{TerminalText.Line(n)}', which is not a step of formula {f.Name} (steps: {string.Join(", ", f.Steps.Select(x => x.Id))})"));
            }
            if (s.Role is { } role && !Names.IsValid(role.Value))
                errors.Add(role.At.Error($"step '{s.Id}': role '{TerminalText.Line(role.Value)}' is not a valid name (lowercase letters, digits, '-' and '_')"));
            if (s.Profile is { } profile && profiles is not null && !profiles.Contains(profile.Value))
                errors.Add(profile.At.Error($"step '{s.Id}': no agent profile '{TerminalText.Line(profile.Value)}' (known: {string.Join(", ", profiles.Order(StringComparer.Ordinal))})"));
        }
        if (Cycle(f) is { } cycle)
        {
            var closing = f.Step(cycle[^2])!;
            errors.Add((closing.NeedsAt ?? closing.At).Error($"steps form a cycle: {string.Join(" → ", cycle)}"));
        }
        return errors;
    }

    private static void Placeholders(FormulaText? text, string where, HashSet<string> declared, List<FormulaError> errors)
    {
        if (text is null) return;
        foreach (var (name, raw) in Placeholders(text.Value).DistinctBy(p => p.Name))
            if (!declared.Contains(name))
                errors.Add(text.Locate(raw).Error($"unknown variable {{{{{name}}}}} in {where} (declared: {(declared.Count == 0 ? "none" : string.Join(", ", declared.Order(StringComparer.Ordinal)))}; declare it as [vars.{name}])"));
    }

    /// <summary>A cycle among the steps' needs, as step ids ending where it started (a → b → a), or null.</summary>
    public static List<string>? Cycle(Formula f)
    {
        var byId = f.Steps.GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var stack = new List<string>();
        List<string>? found = null;
        bool Visit(string id)
        {
            state[id] = 1;
            stack.Add(id);
            foreach (var n in byId[id].NeedsList)
            {
                if (!byId.ContainsKey(n) || n == id) continue;
                if (state.GetValueOrDefault(n) == 1) { found = [.. stack[stack.IndexOf(n)..], n]; return true; }
                if (state.GetValueOrDefault(n) == 0 && Visit(n)) return true;
            }
            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
            return false;
        }
        foreach (var s in f.Steps)
            if (state.GetValueOrDefault(s.Id) == 0 && Visit(s.Id)) return found;
        return null;
    }

    /// <summary>Checks, resolves and validates: the formula ready to instantiate, or a <see cref="FormulaException"/> with every problem.</summary>
    public static Formula Prepare(Formula f, Func<string, Formula?> find, IReadOnlyCollection<string>? profiles = null)
    {
        var (resolved, errors) = Resolve(f, find);
        if (resolved is not null) errors.AddRange(Validate(resolved, profiles));
        if (errors.Count > 0) throw new FormulaException(errors);
        return resolved!;
    }

    /// <summary>
    /// The molecule a resolved formula makes with the variables given (<c>--var k=v</c>): every
    /// variable known, the required ones present; defaults fill the rest (an optional variable
    /// without a default is empty). Titles and descriptions are checked as work items' are.
    /// </summary>
    public static MoleculePlan Instantiate(Formula f, IReadOnlyList<KeyValuePair<string, string>> given)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in given)
        {
            if (f.Var(name) is null)
                throw new OrcException($"--var {TerminalText.Line(name)}: formula {f.Name} has no variable '{TerminalText.Line(name)}' ({(f.Vars.Count == 0 ? "it has none" : "its variables: " + string.Join(", ", f.Vars.Select(v => v.Name)))})", ExitCodes.Usage);
            if (!values.TryAdd(name, value))
                throw new OrcException($"--var {name}: given twice", ExitCodes.Usage);
            WorkItemRules.Text(value, $"--var {name}");
        }
        var missing = f.Vars.Where(v => v.IsRequired && !values.ContainsKey(v.Name)).ToList();
        if (missing.Count > 0)
            throw new OrcException($"formula {f.Name} needs {string.Join(" ", missing.Select(v => $"--var {v.Name}=…"))} ({string.Join("; ", missing.Select(v => v.Name + (v.Description is null ? "" : ": " + TerminalText.Line(v.Description))))})", ExitCodes.Usage);
        foreach (var v in f.Vars) values.TryAdd(v.Name, v.Default ?? "");

        var title = f.Title is { } t ? Render(t.Value, values).Trim() : $"{f.Name}: {Render(f.Summary, values)}".Trim().TrimEnd(':');
        WorkItemRules.Title(title, $"formula {f.Name}: title");
        var description = f.Description is { } d ? WorkItemRules.Text(Render(d.Value, values), $"formula {f.Name}: description") : null;
        var steps = f.Steps.Select(s =>
        {
            var stepTitle = WorkItemRules.Title(Render(s.Title!.Value, values).Trim(), $"step {s.Id}: title");
            var stepDescription = s.Description is { } sd ? WorkItemRules.Text(Render(sd.Value, values), $"step {s.Id}: description") : null;
            return new PlannedStep(s.Id, stepTitle, stepDescription, s.Role?.Value, s.Profile?.Value, s.NeedsList.Distinct().ToList());
        }).ToList();
        return new MoleculePlan(f, title, description, values, steps);
    }

    /// <summary>Parses <c>--var NAME=VALUE</c> (the first '=' separates; the value may be empty or hold '=').</summary>
    public static List<KeyValuePair<string, string>> ParseVars(IEnumerable<string>? args)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var a in args ?? [])
        {
            var eq = a.IndexOf('=');
            if (eq <= 0) throw new OrcException($"--var '{TerminalText.Line(a)}': write NAME=VALUE", ExitCodes.Usage);
            list.Add(new(a[..eq].Trim(), a[(eq + 1)..]));
        }
        return list;
    }
}
