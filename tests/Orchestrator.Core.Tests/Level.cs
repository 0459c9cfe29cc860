// The core has no I/O: every test here is in the fast suites of the edit-test loop
// (dotnet test --filter-trait Level=Unit; see OrcProcess.UnitLevel in the integration tests).
[assembly: Trait("Level", "Unit")]
