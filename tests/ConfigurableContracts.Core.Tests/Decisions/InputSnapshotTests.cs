using System.Text;
using System.Text.Json;
using ConfigurableContracts.Core.Decisions;

namespace ConfigurableContracts.Core.Tests.Decisions;

/// <summary>
/// The snapshot's bytes and hashes are what decisions and replays are compared by, so they must not depend on how
/// (or on which thread, after what) they were built.
/// </summary>
public sealed class InputSnapshotTests
{
    [Fact]
    public void Create_PutsAsOfFirst_AndKeepsEmbeddedDocumentsByteForByte()
    {
        var snapshot = InputSnapshot.Create(new DateOnly(2022, 6, 30), writer =>
        {
            writer.WriteString("contractInput", "abc");
            writer.WritePropertyName("participant");
            writer.WriteRawValue("""{"pseudonym":"HV-1","note":"Åsa \u00e5"}""", skipInputValidation: true);
        });

        Assert.Equal("""{"asOf":"2022-06-30","contractInput":"abc","participant":{"pseudonym":"HV-1","note":"Åsa \u00e5"}}""", snapshot.Text);
        Assert.Equal(InputSnapshot.Hash(snapshot.Text), snapshot.InputHash);
        Assert.Equal(InputSnapshot.Hash("""{"contractInput":"abc","participant":{"pseudonym":"HV-1","note":"Åsa \u00e5"}}"""), snapshot.DataHash);
    }

    [Fact]
    public void Create_WritesOnlyAsOf_WhenTheBodyIsEmpty()
    {
        var snapshot = InputSnapshot.Create(new DateOnly(2023, 1, 1), _ => { });

        Assert.Equal("""{"asOf":"2023-01-01"}""", snapshot.Text);
        Assert.Equal(InputSnapshot.Hash("{}"), snapshot.DataHash);
    }

    [Fact]
    public void Create_GivesTheSameSnapshot_AfterALargerOneOnTheSameThread()
    {
        var first = InputSnapshot.Create(new DateOnly(2022, 1, 1), writer => writer.WriteString("a", "b"));
        InputSnapshot.Create(new DateOnly(2022, 1, 1), writer => writer.WriteString("big", new string('x', 100_000)));

        var again = InputSnapshot.Create(new DateOnly(2022, 1, 1), writer => writer.WriteString("a", "b"));

        Assert.Equal(first.Text, again.Text);
        Assert.Equal(first.InputHash, again.InputHash);
        Assert.Equal(first.DataHash, again.DataHash);
    }

    [Fact]
    public async Task Create_GivesEqualSnapshots_OnManyThreadsAtOnce()
    {
        var expected = InputSnapshot.Create(new DateOnly(2022, 1, 1), writer => writer.WriteNumber("n", 42));

        var snapshots = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            InputSnapshot.Create(new DateOnly(2022, 1, 1), writer => writer.WriteNumber("n", 42)))));

        Assert.All(snapshots, s => Assert.Equal(expected.Text, s.Text));
    }

    public static TheoryData<string?[]> JoinedParts() =>
    [
        ["contract", "participant", null, "Outcomes", "Rule"],
        ["", "Åsa-ö", "∑", null, null],
        [null],
    ];

    [Theory]
    [MemberData(nameof(JoinedParts))]
    public void HashJoined_EqualsTheHashOfTheJoinedString(string?[] parts)
    {
        Assert.Equal(InputSnapshot.Hash(string.Join('|', parts)), InputSnapshot.HashJoined(parts));
    }

    [Fact]
    public void HashJoined_GivesTheSameHash_AfterALongerInputOnTheSameThread()
    {
        var first = InputSnapshot.HashJoined("a", "b");
        InputSnapshot.HashJoined(new string('z', 50_000), "y");

        Assert.Equal(first, InputSnapshot.HashJoined("a", "b"));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("a|b"))), first);
    }

    [Fact]
    public void ResultJson_IsTheSame_WhateverWasSerialisedBeforeOnTheThread()
    {
        var small = DecisionSerialisation.OutputJson(30000m);
        DecisionSerialisation.OutputJson(new string('q', 20_000));

        Assert.Equal("30000", small);
        Assert.Equal("30000", DecisionSerialisation.OutputJson(30000m));
        Assert.Equal(JsonSerializer.Serialize("x"), DecisionSerialisation.OutputJson("x"));
    }
}
