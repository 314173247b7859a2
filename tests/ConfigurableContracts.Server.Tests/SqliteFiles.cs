namespace ConfigurableContracts.Server.Tests;

/// <summary>A test's SQLite database on disk: the file and the write-ahead log and shared memory beside it.</summary>
internal static class SqliteFiles
{
    private static readonly string[] Suffixes = ["", "-wal", "-shm"];

    /// <summary>Deletes the database file and its -wal and -shm files, those that exist.</summary>
    public static void Delete(string databaseFile)
    {
        foreach (var suffix in Suffixes)
        {
            File.Delete(databaseFile + suffix);
        }
    }
}
