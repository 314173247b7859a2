using System.Globalization;
using Jint.Runtime;

namespace ConfigurableContracts.Rules.Functions;

/// <summary>
/// The time system a sandboxed script runs on: UTC and the invariant culture for every date it builds from values,
/// and no clock. Every route to "now" in Jint 4 (<c>Date.now()</c>, <c>Date()</c>, <c>new Date()</c> without
/// arguments) asks the time system, so refusing here closes them all at once, and a rule evaluated again later gives
/// the same answer. Rules get "today" from their <c>asOf</c> input instead.
/// </summary>
internal sealed class ClocklessTimeSystem : ITimeSystem
{
    private readonly DefaultTimeSystem _utc = new(TimeZoneInfo.Utc, CultureInfo.InvariantCulture);

    public TimeZoneInfo DefaultTimeZone => _utc.DefaultTimeZone;

    // A sandbox stop rather than a JavaScript error, so a script cannot catch it and learn whether the clock is there.
    public DateTimeOffset GetUtcNow() =>
        throw new SandboxLimitException("read the clock (Date.now(), Date() or new Date() without arguments), which rule functions may not do; pass the date in (e.g. asOf) or build it from values: new Date(Date.UTC(2022, 5, 1)).");

    public bool TryParse(string date, out long epochMilliseconds) => _utc.TryParse(date, out epochMilliseconds);

    public TimeSpan GetUtcOffset(long epochMilliseconds) => _utc.GetUtcOffset(epochMilliseconds);
}
