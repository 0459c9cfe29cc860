namespace Orchestrator.Core.Agents;

/// <summary>Short, distinct names for polecats; after the pool is used up, names get a number.</summary>
public static class NamePool
{
    public static readonly IReadOnlyList<string> Names =
    [
        "nux", "ace", "toast", "slit", "rictus", "capable", "dag", "keeper", "morsov", "corpus",
        "furiosa", "angharad", "cheedo", "toad", "valkyrie", "warboy", "scrotus", "coma", "ripper", "glory",
        "miss", "bullet", "buzzard", "doof", "organic", "prime", "imperator", "gastown", "citadel", "rockrider",
    ];

    /// <summary>The first name not in <paramref name="taken"/>.</summary>
    public static string Next(ISet<string> taken)
    {
        foreach (var n in Names)
            if (!taken.Contains(n)) return n;
        for (var i = 2; ; i++)
            foreach (var n in Names)
                if (!taken.Contains($"{n}{i}")) return $"{n}{i}";
    }
}
