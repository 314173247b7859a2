namespace ConfigurableContracts.Core.Templates;

/// <summary>
/// One planned measurement: due <see cref="OffsetMonths"/> after enrolment, accepted from
/// <see cref="WindowDaysBefore"/> days before to <see cref="WindowDaysAfter"/> days after that date.
/// </summary>
/// <param name="Id">The point's name in measurement documents, e.g. <c>followUp6</c>.</param>
/// <param name="Input">The rule input the point's measurement is bound to.</param>
/// <param name="OffsetMonths">Months after enrolment the point is due.</param>
/// <param name="WindowDaysBefore">Days before the due date a measurement is accepted.</param>
/// <param name="WindowDaysAfter">Days after the due date a measurement is accepted; after that it is overdue.</param>
public sealed record MeasurementPoint(string Id, string Input, int OffsetMonths, int WindowDaysBefore, int WindowDaysAfter)
{
    /// <summary>The due date; month arithmetic clamps to the month's end (31 Aug + 6 months = 28/29 Feb).</summary>
    public DateOnly DueDate(DateOnly enrolment) => enrolment.AddMonths(OffsetMonths);

    public DateOnly WindowStart(DateOnly enrolment) => DueDate(enrolment).AddDays(-WindowDaysBefore);

    public DateOnly WindowEnd(DateOnly enrolment) => DueDate(enrolment).AddDays(WindowDaysAfter);

    public bool IsWithinWindow(DateOnly enrolment, DateOnly measuredOn) =>
        measuredOn >= WindowStart(enrolment) && measuredOn <= WindowEnd(enrolment);

    /// <summary>The window has closed without a measurement: the point is overdue on <paramref name="asOf"/>.</summary>
    public bool IsOverdue(DateOnly enrolment, DateOnly asOf) => asOf > WindowEnd(enrolment);
}

/// <summary>The measurement points a template plans for every participant, in order.</summary>
public sealed class MeasurementPlan(IReadOnlyList<MeasurementPoint> points)
{
    public IReadOnlyList<MeasurementPoint> Points { get; } = points;

    public bool TryGetPoint(string id, out MeasurementPoint point)
    {
        point = Points.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal))!;
        return point is not null;
    }
}
