using Orchestrator.Core;
using Orchestrator.Core.Formulas;
using Orchestrator.Core.Text;

namespace Orchestrator.Adapters.Formulas;

/// <summary>A folder of formula files and what to call it in lists ("workspace", "rig app").</summary>
public sealed record FormulaFolder(string Directory, string Origin);

/// <summary>One formula as the catalog has it: from which file, and whether that file reads.</summary>
public sealed record FormulaEntry(string Name, string File, string Origin, Formula? Formula, IReadOnlyList<FormulaError> Errors, IReadOnlyList<string> Hides);

/// <summary>
/// The formulas orc can pour: the ones shipped inside orc, then each folder in order (the
/// workspace's <c>formulas/</c>, then a rig's); a later file overrides an earlier one of the same
/// name. A broken file does not hide the others: it is listed with its errors.
/// </summary>
public sealed class FormulaCatalog
{
    public const string ResourceFolder = "formulas/";
    public const string ShippedOrigin = "shipped";

    private readonly Dictionary<string, FormulaEntry> _entries = new(StringComparer.Ordinal);

    public FormulaCatalog(IEnumerable<FormulaFolder> folders)
    {
        var asm = typeof(FormulaCatalog).Assembly;
        foreach (var resource in asm.GetManifestResourceNames().Where(r => r.StartsWith(ResourceFolder,
            StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var s = asm.GetManifestResourceStream(resource)!;
            var text = new StreamReader(s).ReadToEnd();
            var shown = "(shipped) " + resource;
            var (formula, errors) = FormulaFile.Parse(text, shown, FormulaFile.NameOf(resource));
            Add(new FormulaEntry(FormulaFile.NameOf(resource), shown, ShippedOrigin, formula, errors, []));
        }
        foreach (var folder in folders)
        {
            List<string> files;
            try
            {
                if (!Directory.Exists(folder.Directory)) continue;
                files = Directory.EnumerateFiles(folder.Directory, "*" + FormulaFile.Extension).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
            foreach (var f in files)
            {
                var name = FormulaFile.NameOf(f);
                if (!Names.IsValid(name))
                {
                    // Listed, not skipped: whoever put it there learns why it is never used.
                    Add(new FormulaEntry(name, f, folder.Origin, null,
                        [new FormulaError(f, 1,
                            $"'{TerminalText.Line(name)}' is not a valid formula name (lowercase letters, digits, '-' and '_'); rename the file")], []));
                    continue;
                }
                var (formula, errors) = FormulaFile.Load(f);
                Add(new FormulaEntry(name, f, folder.Origin, formula, errors, []));
            }
        }
    }

    private void Add(FormulaEntry e)
    {
        if (_entries.TryGetValue(e.Name, out var hidden)) e = e with { Hides = [.. hidden.Hides, hidden.File] };
        _entries[e.Name] = e;
    }

    /// <summary>Every formula by name, the one that wins for each.</summary>
    public IReadOnlyList<FormulaEntry> All => [.. _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal)];

    public FormulaEntry? Find(string name) => _entries.GetValueOrDefault(name);

    /// <summary>
    /// The formula called <paramref name="name"/>, its parents folded in and checked; throws a
    /// <see cref="FormulaException"/> listing every FILE:LINE problem, or not-found.
    /// </summary>
    public Formula Get(string name, IReadOnlyCollection<string>? profiles = null)
    {
        var entry = Find(name)
            ?? throw new OrcException($"no formula '{TerminalText.Line(name)}' (see 'orc formula list'; known: {string.Join(", ", _entries.Keys.Order(StringComparer.Ordinal))})", ExitCodes.NotFound);
        if (entry.Formula is null) throw new FormulaException(entry.Errors);
        return Prepare(entry.Formula, profiles);
    }

    /// <summary>Every problem of an entry: its file's own, then those of its parents and the whole; empty when it can be poured.</summary>
    public IReadOnlyList<FormulaError> Problems(FormulaEntry entry, IReadOnlyCollection<string>? profiles = null)
    {
        if (entry.Formula is null) return entry.Errors;
        try { Prepare(entry.Formula, profiles); return []; }
        catch (FormulaException ex) { return ex.Errors; }
    }

    /// <summary>Checks a formula read from anywhere (e.g. <c>orc formula check FILE</c>) against this catalog's formulas for <c>extends</c>.</summary>
    public Formula Prepare(Formula formula, IReadOnlyCollection<string>? profiles = null) =>
        FormulaRules.Prepare(formula, Parent, profiles);

    private Formula? Parent(string name)
    {
        var e = Find(name);
        if (e is { Formula: null }) throw new FormulaException(e.Errors);
        return e?.Formula;
    }
}
