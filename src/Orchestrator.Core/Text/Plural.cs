namespace Orchestrator.Core.Text;

/// <summary>Counts as people write them: "1 agent", "2 agents", "0 agents".</summary>
public static class Plural
{
    /// <summary><paramref name="n"/> and the noun, singular for exactly one (<paramref name="many"/> defaults to the noun plus "s").</summary>
    public static string Of(int n, string one, string? many = null) =>
        $"{n} {(n == 1 ? one : many ?? one + "s")}";
}
