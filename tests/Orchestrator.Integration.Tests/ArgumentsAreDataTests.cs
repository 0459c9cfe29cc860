using Orchestrator.Core.Ledger;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests;

public class ArgumentsAreDataTests
{
    [Fact]
    public void An_argument_starting_with_at_is_text_never_a_response_file_to_read()
    {
        using var ws = new TempWorkspace();
        var secret = Path.Combine(ws.Root, "secret.txt");
        File.WriteAllText(secret, "SECRET CONTENT\n--priority 0");

        var id = ws.Create("@" + secret);
        var r = ws.Orc("item", "comment", id, "@" + secret);

        Assert.True(r.ExitCode == 0, r.ToString());
        var item = LedgerDocument.Parse(ws.LedgerBytes()).Get(id);
        Assert.Equal("@" + secret, item.Title);
        Assert.Equal("@" + secret, Assert.Single(item.Comments).Text);
        Assert.Equal(2, item.Priority);
        Assert.DoesNotContain("SECRET", ws.LedgerText());
    }
}
