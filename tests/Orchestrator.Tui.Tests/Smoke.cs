namespace Orchestrator.Tui.Tests; public class Smoke { [Fact] public void Builds() => Assert.True(true); }
