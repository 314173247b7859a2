using System.Diagnostics;

namespace ConfigurableContracts.Server.Tests.Health;

/// <summary>
/// A small tmpfs mounted for one test, so the test can fill a disk to the last byte without touching the machine's
/// own: CI runs as root on Debian, where mounting one needs nothing more. <see cref="Fill"/> takes every free byte
/// with a ballast file; <see cref="Free"/> gives it back. Disposing unmounts it.
/// </summary>
internal sealed class TmpfsDisk : IDisposable
{
    private TmpfsDisk(string path)
    {
        Path = path;
    }

    public string Path { get; }

    private string Ballast => System.IO.Path.Combine(Path, "ballast");

    public static TmpfsDisk Mount(long bytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cc_tmpfs_{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount -t tmpfs failed ({code}): {output}");
        }

        return new TmpfsDisk(path);
    }

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can (tried with a 64 KiB one).</summary>
    public static string? WhyNotMountable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Mounting a tmpfs needs Linux.";
        }

        try
        {
            using var probe = Mount(64 * 1024);
            return null;
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            return $"This test mounts a small tmpfs to fill its disk, which needs root (CI runs as root): {exception.Message}";
        }
    }

    /// <summary>Writes a ballast file until the disk refuses another byte; returns its size.</summary>
    public long Fill()
    {
        using var ballast = new FileStream(Ballast, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        var chunk = new byte[1 << 20];
        for (var size = chunk.Length; size >= 512; size /= 2)
        {
            while (true)
            {
                try
                {
                    ballast.Write(chunk, 0, size);
                    ballast.Flush(flushToDisk: true);
                }
                catch (IOException)
                {
                    // ENOSPC for this size: the last write left only what a smaller one may still take.
                    ballast.SetLength(ballast.Length - (ballast.Length % 512));
                    ballast.Seek(0, SeekOrigin.End);
                    break;
                }
            }
        }

        return ballast.Length;
    }

    public void Free() => File.Delete(Ballast);

    public long AvailableBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        var (code, _) = Run("umount", Path);
        if (code != 0)
        {
            // Something still has a file open (a server that did not stop): detach now, freed when it closes.
            Run("umount", "-l", Path);
        }

        Directory.Delete(Path, recursive: true);
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

/// <summary>A fact that mounts a tmpfs; skipped, saying why, where that is not allowed (not root, not Linux).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> WhyNot = new(TmpfsDisk.WhyNotMountable);

    public TmpfsFactAttribute()
    {
        if (WhyNot.Value is { } reason)
        {
            Skip = reason;
        }
    }
}
