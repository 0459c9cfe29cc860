using Orchestrator.Adapters.Formulas;
using Orchestrator.Adapters.Profiles;
using Orchestrator.Core;
using Orchestrator.Core.Formulas;
using Orchestrator.Services.Runtime;

namespace Orchestrator.Services.Formulas;

/// <summary>
/// Finds formulas: shipped inside orc, then the workspace's <c>formulas/</c>, then (with a rig)
/// the rig repository's <c>formulas/</c>; later ones override earlier ones of the same name.
/// Works outside a workspace too (the shipped formulas only).
/// </summary>
public sealed class FormulaService(RuntimeContext runtime)
{
    public const string FolderName = "formulas";

    public FormulaCatalog Catalog(string? rig)
    {
        var folders = new List<FormulaFolder>();
        // Without a rig, no workspace is fine (the shipped formulas); a rig needs one.
        var paths = rig is null ? runtime.Workspace.TryPaths : runtime.Workspace.Paths;
        if (paths is not null)
        {
            folders.Add(new FormulaFolder(paths.FormulasDir, "workspace"));
            if (rig is not null)
            {
                runtime.Rigs.Get(rig);
                folders.Add(new FormulaFolder(Path.Combine(paths.RigDir(rig), FolderName), "rig " + rig));
            }
        }
        return new FormulaCatalog(folders);
    }

    /// <summary>The agent profiles a step may name.</summary>
    public IReadOnlyCollection<string> Profiles()
    {
        var catalog = runtime.Workspace.TryPaths is null
            ? new ProfileCatalog([])
            : runtime.Profiles;
        return catalog.All.Select(p => p.Name).ToList();
    }

    /// <summary>The formula, parents folded in and checked (a <see cref="FormulaException"/> lists every FILE:LINE problem).</summary>
    public Formula Get(string name, string? rig) => Catalog(rig).Get(name, Profiles());

    /// <summary>Checks one file as <c>orc formula check</c> does: its own problems, then its parents' (from the catalog) and the whole.</summary>
    public Formula Check(string path, string? rig)
    {
        var full = runtime.Workspace.Resolve(path);
        var (formula, errors) = FormulaFile.Load(full, path);
        if (formula is null) throw new FormulaException(errors);
        return Catalog(rig).Prepare(formula, Profiles());
    }
}
