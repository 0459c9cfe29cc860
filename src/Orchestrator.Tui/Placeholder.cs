namespace Orchestrator.Tui; internal static class Placeholder {}
