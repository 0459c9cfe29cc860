namespace Orchestrator.Core.Text;

/// <summary>Durations as people say them: 45s, 12m, 3h05m, 2d04h (the review list, the convoy report).</summary>
public static class Durations
{
    public static string Short(TimeSpan t) =>
        t < TimeSpan.Zero ? "0s"
        : t.TotalSeconds < 60 ? $"{(int)t.TotalSeconds}s"
        : t.TotalMinutes < 60 ? $"{(int)t.TotalMinutes}m"
        : t.TotalHours < 24 ? $"{(int)t.TotalHours}h{t.Minutes:00}m"
        : $"{(int)t.TotalDays}d{t.Hours:00}h";

    public static string Short(double seconds) => Short(TimeSpan.FromSeconds(seconds));
}
