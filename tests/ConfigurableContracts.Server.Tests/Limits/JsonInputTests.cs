using System.Text;
using ConfigurableContracts.Server.Limits;

namespace ConfigurableContracts.Server.Tests.Limits;

/// <summary>Body syntax errors are located the way every other diagnostic is, and never quote the client's bytes.</summary>
public sealed class JsonInputTests
{
    [Fact]
    public void Check_LocatesACutOffBody_ByLineAndCharacterColumn()
    {
        var error = JsonInput.Check(Encoding.UTF8.GetBytes("{\n  \"namn\": \"Åsa\",\n  \"x\": ["), maxDepth: 32);

        Assert.NotNull(error);
        Assert.Equal("The body ends before its last value is complete at line 3, column 9.", error.Message);
    }

    [Fact]
    public void Check_LocatesABadCharacter_InCharactersNotBytes_WithoutQuotingIt()
    {
        var error = JsonInput.Check(Encoding.UTF8.GetBytes("{\"å\": 19850101x}"), maxDepth: 32);

        Assert.NotNull(error);
        Assert.Equal("The body is not valid JSON at line 1, column 15.", error.Message);
        Assert.DoesNotContain("19850101", error.Message, StringComparison.Ordinal);
    }
}
