using DiffPlex;

namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// What changed between two bundles of a template: files added, removed and changed, with unified-diff hunks for
/// the changed ones, so a provider or auditor can see exactly which rule lines a new version decides by.
/// </summary>
public sealed record BundleDiff(IReadOnlyList<FileDiff> Files)
{
    /// <summary>Lines of unchanged text shown around each change, as <c>diff -u</c> does.</summary>
    public const int ContextLines = 3;

    /// <summary>Every file that differs, in key order; files equal in both are left out.</summary>
    public static BundleDiff Between(IReadOnlyDictionary<string, string> from, IReadOnlyDictionary<string, string> to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var files = new List<FileDiff>();
        foreach (var key in from.Keys.Union(to.Keys).Order(StringComparer.Ordinal))
        {
            var before = from.GetValueOrDefault(key);
            var after = to.GetValueOrDefault(key);
            if (before is null)
            {
                files.Add(new FileDiff(key, FileChange.Added, []));
            }
            else if (after is null)
            {
                files.Add(new FileDiff(key, FileChange.Removed, []));
            }
            else if (!string.Equals(before, after, StringComparison.Ordinal))
            {
                files.Add(new FileDiff(key, FileChange.Changed, Hunks(before, after)));
            }
        }

        return new BundleDiff(files);
    }

    /// <summary>DiffPlex's changed line blocks, with <see cref="ContextLines"/> around each; blocks whose context meets share a hunk.</summary>
    private static List<DiffHunk> Hunks(string before, string after)
    {
        var diff = Differ.Instance.CreateLineDiffs(before, after, ignoreWhitespace: false);
        var old = diff.PiecesOld;
        var hunks = new List<DiffHunk>();
        HunkBuilder? hunk = null;
        var endOld = 0;
        foreach (var block in diff.DiffBlocks)
        {
            if (hunk is not null && block.DeleteStartA - endOld > 2 * ContextLines)
            {
                hunk.Unchanged(old, endOld, Math.Min(endOld + ContextLines, old.Count));
                hunks.Add(hunk.Build());
                hunk = null;
            }

            if (hunk is null)
            {
                var start = Math.Max(0, block.DeleteStartA - ContextLines);
                hunk = new HunkBuilder(start, block.InsertStartB - (block.DeleteStartA - start));
                hunk.Unchanged(old, start, block.DeleteStartA);
            }
            else
            {
                hunk.Unchanged(old, endOld, block.DeleteStartA);
            }

            hunk.Changed('-', old, block.DeleteStartA, block.DeleteCountA);
            hunk.Changed('+', diff.PiecesNew, block.InsertStartB, block.InsertCountB);
            endOld = block.DeleteStartA + block.DeleteCountA;
        }

        if (hunk is not null)
        {
            hunk.Unchanged(old, endOld, Math.Min(endOld + ContextLines, old.Count));
            hunks.Add(hunk.Build());
        }

        return hunks;
    }

    private sealed class HunkBuilder(int oldStart, int newStart)
    {
        private readonly List<string> _lines = [];
        private int _oldCount;
        private int _newCount;

        public void Unchanged(IReadOnlyList<string> lines, int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                _lines.Add(" " + lines[i]);
                _oldCount++;
                _newCount++;
            }
        }

        public void Changed(char mark, IReadOnlyList<string> lines, int start, int count)
        {
            for (var i = start; i < start + count; i++)
            {
                _lines.Add(mark + lines[i]);
                if (mark == '-')
                {
                    _oldCount++;
                }
                else
                {
                    _newCount++;
                }
            }
        }

        /// <summary>Line numbers count from 1; an empty side names the line before it, as unified diffs do.</summary>
        public DiffHunk Build() => new(
            _oldCount == 0 ? oldStart : oldStart + 1, _oldCount, _newCount == 0 ? newStart : newStart + 1, _newCount, _lines);
    }
}

/// <summary>How one file differs between two bundles.</summary>
public enum FileChange
{
    Added,
    Removed,
    Changed,
}

/// <summary>One file that differs; <see cref="Hunks"/> are empty unless it <see cref="FileChange.Changed"/>.</summary>
public sealed record FileDiff(string Path, FileChange Change, IReadOnlyList<DiffHunk> Hunks);

/// <summary>
/// One unified-diff hunk: where it starts and how many lines it covers on each side, and its lines, each marked
/// <c>' '</c> (unchanged), <c>'-'</c> (only before) or <c>'+'</c> (only after).
/// </summary>
public sealed record DiffHunk(int OldStart, int OldLines, int NewStart, int NewLines, IReadOnlyList<string> Lines)
{
    /// <summary>The hunk's header as <c>diff -u</c> prints it.</summary>
    public string Header => $"@@ -{OldStart},{OldLines} +{NewStart},{NewLines} @@";
}
