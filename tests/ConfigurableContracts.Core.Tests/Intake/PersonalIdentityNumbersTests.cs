using System.Text.Json;
using ConfigurableContracts.Core.Intake;

namespace ConfigurableContracts.Core.Tests.Intake;

public sealed class PersonalIdentityNumbersTests
{
    [Theory]
    [InlineData("121212-1212")]
    [InlineData("1212121212")]
    [InlineData("19121212-1212")]
    [InlineData("191212121212")]
    [InlineData("121212+1212")] // a centenarian's separator
    [InlineData("811218-9876")]
    [InlineData("701063-2391")] // samordningsnummer: day 03 + 60
    [InlineData("20000229-1235")] // 29 February in a leap year
    [InlineData("pnr 121212-1212 enligt journal")]
    [InlineData("HV-19121212-1212")]
    [InlineData("121212 1212")] // typed with a space, as in free text
    [InlineData("19121212 1212")]
    [InlineData("samordningsnummer 701063 2391")]
    public void Contains_FindsANumber_WhenDateAndCheckDigitAreValid(string text) =>
        Assert.True(PersonalIdentityNumbers.Contains(text));

    [Theory]
    [InlineData("121212-1213")] // wrong check digit
    [InlineData("2022-01-15")] // a date alone
    [InlineData("20220115")]
    [InlineData("220115")]
    [InlineData("2022-01-15T10:30:00Z")]
    [InlineData("20220115103000")] // a compact timestamp: fourteen digits
    [InlineData("556677-8899")] // an organisation number: month 66
    [InlineData("121312-1219")] // month 13 (check digit valid for the digits)
    [InlineData("19000229-1234")] // 1900 was not a leap year
    [InlineData("1212121212121")] // thirteen digits touch the candidate
    [InlineData("HV-0001")]
    [InlineData("121212 1213")] // a space, but the wrong check digit
    [InlineData("17121212-1212")] // no one alive was born in the 1700s
    public void Contains_FindsNothing_WhenItIsNotAValidNumber(string text) =>
        Assert.False(PersonalIdentityNumbers.Contains(text));

    [Fact]
    public void LuhnCheckDigit_MatchesTheKnownExample()
    {
        Assert.Equal(2, PersonalIdentityNumbers.LuhnCheckDigit("121212121"));
    }

    [Fact]
    public void Find_ReportsEveryPath_InStringsNumbersAndPropertyNames()
    {
        using var document = JsonDocument.Parse(
            """{ "notes": ["ok", "born 811218-9876"], "nested": { "id": 191212121212 }, "121212-1212": true, "date": "2021-09-06" }""");

        var errors = PersonalIdentityNumbers.Find(document.RootElement);

        Assert.Equal(["$.notes[1]", "$.nested.id", "$['(personal identity number)']"], errors.Select(e => e.Path));
    }
}
