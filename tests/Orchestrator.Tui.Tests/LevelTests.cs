using System.Reflection;
using Orchestrator.Testing;

namespace Orchestrator.Tui.Tests;

/// <summary>
/// Every test class here names its level, Unit (drawn headlessly) or Process (a real orc in a
/// terminal in tmux), so that --filter-trait Level=Unit is the whole fast part of this suite.
/// </summary>
[Trait(OrcProcess.Level, OrcProcess.UnitLevel)]
public sealed class LevelTests
{
    [Fact]
    public void Every_test_class_names_its_level_once()
    {
        var unnamed = typeof(LevelTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any()))
            .Where(t => t.GetCustomAttributes<TraitAttribute>().Count(a => a.Name == OrcProcess.Level
                && a.Value is OrcProcess.UnitLevel or OrcProcess.ProcessLevel) != 1)
            .Select(t => t.FullName);
        Assert.Empty(unnamed);
    }
}
