using ConfigurableContracts.Core.Templates;

namespace ConfigurableContracts.Core.Tests.Templates;

public sealed class BundleDiffTests
{
    private static readonly string Twenty = string.Concat(Enumerable.Range(1, 20).Select(i => $"line {i}\n"));

    [Fact]
    public void Between_GivesOneHunkWithThreeLinesOfContext_ForOneChangedLine()
    {
        var diff = BundleDiff.Between(Files(Twenty), Files(Twenty.Replace("line 10\n", "line ten\n", StringComparison.Ordinal)));

        var file = Assert.Single(diff.Files);
        Assert.Equal(FileChange.Changed, file.Change);
        var hunk = Assert.Single(file.Hunks);
        Assert.Equal("@@ -7,7 +7,7 @@", hunk.Header);
        Assert.Equal([" line 7", " line 8", " line 9", "-line 10", "+line ten", " line 11", " line 12", " line 13"], hunk.Lines);
    }

    [Fact]
    public void Between_SplitsHunks_OnlyWhenChangesAreMoreThanTwiceTheContextApart()
    {
        var near = Twenty.Replace("line 3\n", "line three\n", StringComparison.Ordinal).Replace("line 9\n", "line nine\n", StringComparison.Ordinal);
        var far = Twenty.Replace("line 3\n", "line three\n", StringComparison.Ordinal).Replace("line 11\n", "line eleven\n", StringComparison.Ordinal);

        Assert.Single(Assert.Single(BundleDiff.Between(Files(Twenty), Files(near)).Files).Hunks);
        Assert.Equal(["@@ -1,6 +1,6 @@", "@@ -8,7 +8,7 @@"], Assert.Single(BundleDiff.Between(Files(Twenty), Files(far)).Files).Hunks.Select(h => h.Header));
    }

    [Fact]
    public void Between_ListsAddedAndRemovedFiles_AndLeavesEqualOnesOut()
    {
        var from = new Dictionary<string, string> { ["rules/x/a.json"] = "a", ["rules/x/same.json"] = "s" };
        var to = new Dictionary<string, string> { ["rules/x/b.json"] = "b", ["rules/x/same.json"] = "s" };

        var diff = BundleDiff.Between(from, to);

        Assert.Equal([("rules/x/a.json", FileChange.Removed), ("rules/x/b.json", FileChange.Added)], diff.Files.Select(f => (f.Path, f.Change)));
    }

    private static Dictionary<string, string> Files(string text) => new() { ["rules/x/outcomes.json"] = text };
}
