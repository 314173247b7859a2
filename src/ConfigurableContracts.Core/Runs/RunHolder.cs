using System.Diagnostics;
using System.Globalization;

namespace ConfigurableContracts.Core.Runs;

/// <summary>
/// The process that holds a run, as recorded in <c>evaluation_runs.holder_process</c>: <c>host|pid|start</c>, where
/// start tells a process from a later one with the same pid (after a restart, a reboot, or in a container where the
/// server is always pid 1). From it a restarted server can prove that the holder of a run is dead — on this host,
/// with that pid gone or now another process — and resume the run at once instead of waiting its lease out.
/// </summary>
public static class RunHolder
{
    private const char Separator = '|';

    /// <summary>This process.</summary>
    public static string Current { get; } = Describe(Environment.MachineName, Environment.ProcessId, StartOf(Environment.ProcessId) ?? "unknown");

    /// <summary>
    /// True only when <paramref name="holder"/> names a process on this host that no longer runs: its pid is gone, or
    /// belongs to a process that started at another time. A holder on another host, this process, one whose start
    /// cannot be read, or an unreadable record is never called dead.
    /// </summary>
    public static bool IsProvablyDead(string? holder)
    {
        if (!TryParse(holder, out var host, out var pid, out var start)
            || !string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(holder, Current, StringComparison.Ordinal))
        {
            return false;
        }

        if (!IsRunning(pid))
        {
            return true;
        }

        return StartOf(pid) is { } now && start != "unknown" && !string.Equals(now, start, StringComparison.Ordinal);
    }

    /// <summary>Whether <paramref name="holder"/> names a process on this host.</summary>
    public static bool IsOnThisHost(string? holder) =>
        TryParse(holder, out var host, out _, out _) && string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The record of a process; its start as <see cref="StartOf"/> reads it.</summary>
    public static string Describe(string host, int pid, string start) =>
        string.Join(Separator, host, pid.ToString(CultureInfo.InvariantCulture), start);

    /// <summary>
    /// When <paramref name="pid"/> started, as text that is the same each time it is read for the same process: on
    /// Linux the boot id and the start in clock ticks since boot (/proc), elsewhere the start time the system reports;
    /// null when the process does not run or cannot be read.
    /// </summary>
    public static string? StartOf(int pid)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
                // Field 22 is starttime; the command name (field 2) may hold spaces and parentheses, so count after its ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
                return $"{boot}:{fields[19]}";
            }

            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException
            or InvalidOperationException or IndexOutOfRangeException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryParse(string? holder, out string host, out int pid, out string start)
    {
        var parts = holder?.Split(Separator);
        if (parts is [var h, var p, var s] && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out pid))
        {
            (host, start) = (h, s);
            return true;
        }

        (host, pid, start) = (string.Empty, 0, string.Empty);
        return false;
    }
}
