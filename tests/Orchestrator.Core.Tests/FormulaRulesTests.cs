using Orchestrator.Core.Formulas;

namespace Orchestrator.Core.Tests;

/// <summary>The pure formula rules: inheritance, validation with file:line, instantiation, rendering.</summary>
public class FormulaRulesTests
{
    private const string File = "f.formula.toml";

    private static SourceLine L(int line, string file = File) => new(file, line);

    private static FormulaText T(string text, int line, string file = File) => new(text, L(line, file));

    private static FormulaStep Step(string id, string? title = null, int line = 10, string[]? needs = null, string file = File,
        string? description = null) => new()
    {
        Id = id,
        Title = title is null ? null : T(title, line + 1, file),
        Description = description is null ? null : new FormulaText(description, L(line + 2, file), "\"\"\"\n" + description + "\"\"\""),
        Needs = needs,
        NeedsAt = needs is null ? null : L(line + 3, file),
        At = L(line, file),
    };

    private static FormulaVar Var(string name, string? @default = null, bool? required = null, int line = 5, string file = File) =>
        new() { Name = name, Default = @default, Required = required, At = L(line, file) };

    private static Formula F(string name, FormulaStep[] steps, FormulaVar[]? vars = null, string? extends = null, string file = File,
        string? title = null) => new()
    {
        Name = name,
        File = file,
        At = L(1, file),
        Title = title is null ? null : T(title, 2, file),
        Extends = extends,
        ExtendsAt = extends is null ? null : L(3, file),
        Vars = vars ?? [],
        Steps = steps,
    };

    private static List<string> Problems(Formula f, params Formula[] others)
    {
        var (resolved, errors) = FormulaRules.Resolve(f, n => others.FirstOrDefault(o => o.Name == n));
        if (resolved is not null) errors.AddRange(FormulaRules.Validate(resolved));
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void A_well_formed_formula_has_no_problems()
    {
        var f = F("ok", [Step("a", "Do {{x}}"), Step("b", "Then b", 20, ["a"])], [Var("x", "1")]);
        Assert.Empty(Problems(f));
    }

    [Fact]
    public void A_cycle_among_steps_is_reported_at_the_needs_line_that_closes_it()
    {
        var f = F("loop", [Step("a", "A", 10, ["c"]), Step("b", "B", 20, ["a"]), Step("c", "C", 30, ["b"])]);
        var problems = Problems(f);
        var cycle = Assert.Single(problems);
        Assert.StartsWith($"{File}:23: steps form a cycle: a → c → b → a", cycle);
    }

    [Fact]
    public void A_need_that_names_no_step_or_the_step_itself_is_reported()
    {
        var f = F("bad", [Step("a", "A", 10, ["a"]), Step("b", "B", 20, ["nope"])]);
        var problems = Problems(f);
        Assert.Contains(problems, p => p.StartsWith($"{File}:13: step 'a' needs itself", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"{File}:23: step 'b' needs 'nope', which is not a step", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_variable_is_reported_on_the_line_where_it_is_used_even_inside_a_multiline_description()
    {
        var f = F("vars", [Step("a", "Fix {{bug}}", 10, description: "line one\nline two {{oops}}\n")], [Var("bug", required: true)]);
        var problem = Assert.Single(Problems(f));
        // The description starts on line 12 with """ and a newline; {{oops}} is two lines further down.
        Assert.StartsWith($"{File}:14: unknown variable {{{{oops}}}} in the description of step 'a'", problem);
        Assert.Contains("declared: bug", problem);
    }

    [Fact]
    public void Duplicate_step_ids_missing_titles_bad_ids_and_required_with_default_are_reported()
    {
        var f = F("dups", [Step("a", "A", 10), Step("a", "A again", 20), Step("Bad Id", "x", 30), Step("untitled", null, 40)],
            [Var("v", "d", required: true, line: 6), Var("1x", line: 7)]);
        var (_, own) = FormulaRules.Resolve(f, _ => null);
        Assert.Contains(own, e => e.Line == 20 && e.Message.Contains("defined twice (first at line 10)"));
        Assert.Contains(own, e => e.Line == 30 && e.Message.Contains("step id 'Bad Id' is not valid"));
        Assert.Contains(own, e => e.Line == 7 && e.Message.Contains("'1x' is not a valid variable name"));
        var good = F("ok", [Step("untitled", null, 40)], [Var("v", "d", required: true, line: 6)]);
        var errors = FormulaRules.Validate(good);
        Assert.Contains(errors, e => e.Line == 40 && e.Message == "step 'untitled' has no title");
        Assert.Contains(errors, e => e.Line == 6 && e.Message.Contains("required and has a default"));
    }

    [Fact]
    public void A_formula_without_steps_is_reported()
    {
        Assert.Contains(Problems(F("empty", [])), p => p == $"{File}:1: has no steps (add at least one [[steps]] table)");
    }

    [Fact]
    public void Extends_inherits_vars_and_steps_and_overrides_them_field_by_field()
    {
        var parent = F("base", [Step("a", "A {{x}}", 10, file: "base.toml"), Step("b", "B", 20, ["a"], "base.toml")],
            [Var("x", required: true, file: "base.toml"), Var("y", "py", file: "base.toml")], file: "base.toml", title: "Base {{x}}");
        var child = F("child", [Step("first", "First", 10), Step("a", null, 20, ["first"]), Step("c", "C", 30, ["b"])],
            [Var("x", "cx"), Var("z", "cz")], extends: "base");
        var (resolved, errors) = FormulaRules.Resolve(child, n => n == "base" ? parent : null);
        Assert.Empty(errors);
        var r = resolved!;
        Assert.Equal([File, "base.toml"], r.Chain);
        // "first" is needed by the parent's step "a" now: it comes first; the rest keep their order.
        Assert.Equal(["first", "a", "b", "c"], r.Steps.Select(s => s.Id));
        var a = r.Step("a")!;
        Assert.Equal("A {{x}}", a.Title!.Value);          // kept from the parent
        Assert.Equal(["first"], a.NeedsList);              // overridden by the child
        Assert.Equal("Base {{x}}", r.Title!.Value);
        var x = r.Var("x")!;
        Assert.Equal("cx", x.Default);
        Assert.False(x.IsRequired);                        // a default given by the child makes it optional
        Assert.Equal(["x", "y", "z"], r.Vars.Select(v => v.Name));
        Assert.Empty(FormulaRules.Validate(r));
    }

    [Fact]
    public void Extends_of_a_missing_formula_or_in_a_cycle_is_reported_at_the_extends_line()
    {
        var orphan = F("orphan", [Step("a", "A")], extends: "ghost");
        Assert.Contains(Problems(orphan), p => p.StartsWith($"{File}:3: extends 'ghost', which is not a formula here", StringComparison.Ordinal));

        var one = F("one", [Step("a", "A")], extends: "two", file: "one.toml");
        var two = F("two", [Step("b", "B")], extends: "one", file: "two.toml");
        var cycle = Assert.Single(Problems(one, two));
        Assert.Equal("two.toml:3: extends cycle: one → two → one", cycle);
    }

    [Fact]
    public void Instantiate_fills_defaults_and_refuses_unknown_missing_or_repeated_vars()
    {
        var f = F("deploy", [Step("go", "Deploy {{app}} to {{env}}"), Step("check", "Check {{app}}{{note}}", 20, ["go"])],
            [Var("app", required: true), Var("env", "staging"), Var("note")], title: "Deploy {{app}}");
        var plan = FormulaRules.Instantiate(f, [new("app", "web")]);
        Assert.Equal("Deploy web", plan.Title);
        Assert.Equal(["Deploy web to staging", "Check web"], plan.Steps.Select(s => s.Title));
        Assert.Equal(["go"], plan.Steps[1].Needs);
        Assert.Equal("", plan.Vars["note"]);

        var missing = Assert.Throws<OrcException>(() => FormulaRules.Instantiate(f, []));
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("--var app=", missing.Message);
        var unknown = Assert.Throws<OrcException>(() => FormulaRules.Instantiate(f, [new("app", "web"), new("colour", "red")]));
        Assert.Contains("--var colour: formula deploy has no variable 'colour'", unknown.Message);
        Assert.Contains("given twice", Assert.Throws<OrcException>(() => FormulaRules.Instantiate(f, [new("app", "a"), new("app", "b")])).Message);
    }

    [Fact]
    public void Hostile_values_stay_data_a_value_is_never_expanded_again_and_control_characters_are_refused()
    {
        var f = F("h", [Step("s", "Run {{cmd}} on {{other}}")], [Var("cmd", required: true), Var("other", "x")]);
        var plan = FormulaRules.Instantiate(f, [new("cmd", "$(rm -rf ~); `id` {{other}} && echo '\"'")]);
        Assert.Equal("Run $(rm -rf ~); `id` {{other}} && echo '\"' on x", plan.Steps[0].Title);

        var escape = Assert.Throws<OrcException>(() => FormulaRules.Instantiate(f, [new("cmd", "\u001b]0;pwned\u0007")]));
        Assert.Contains("control character", escape.Message);
        Assert.DoesNotContain('\u001b', escape.Message);
    }

    [Fact]
    public void Render_replaces_only_declared_placeholders_with_optional_spaces()
    {
        var vars = new Dictionary<string, string> { ["a"] = "1", ["b-c"] = "2" };
        Assert.Equal("1 2 {{ unknown }} {not} {{}}", FormulaRules.Render("{{a}} {{ b-c }} {{ unknown }} {not} {{}}", vars));
    }

    [Fact]
    public void ParseVars_splits_at_the_first_equals_sign_and_refuses_a_missing_one()
    {
        Assert.Equal([new("k", "v=w"), new("e", "")], FormulaRules.ParseVars(["k=v=w", "e="]));
        Assert.Equal(ExitCodes.Usage, Assert.Throws<OrcException>(() => FormulaRules.ParseVars(["novalue"])).ExitCode);
        Assert.Equal(ExitCodes.Usage, Assert.Throws<OrcException>(() => FormulaRules.ParseVars(["=v"])).ExitCode);
    }
}
