// Custom functions for the youth-employment rules, called as fn.name(...) from rule expressions.
// They must stay pure and deterministic: the same arguments always give the same result, with no clock,
// randomness or state, so that an evaluation can be repeated and audited. Hours and money stay in the rule
// expressions, which compute in exact decimals; only calendar arithmetic, awkward to write as an expression, is here.

"use strict";

/**
 * The number of days in a month of the Gregorian calendar.
 * @param {integer} year - The year, e.g. 2024.
 * @param {integer} month - The month as getUTCMonth counts it: 0 for January to 11 for December.
 * @returns {integer} 28, 29, 30 or 31.
 */
function daysInMonth(year, month) {
    if (month === 1) {
        return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    }
    return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31;
}

/**
 * Whole months from one day to a later one, counted the way the platform counts a measurement point's due date:
 * one month after 15 January is 15 February, and one month after 31 January is the last day of February.
 * So 2024-01-15 to 2024-04-15 is 3, 2024-01-15 to 2024-04-14 is 2, and 2023-11-30 to 2024-02-29 is 3.
 * A day that is not recorded (for example the start of work for someone neither working nor studying) arrives as
 * null; the function then returns null, and a rule comparing the result reports NotEvaluable rather than Error.
 * A start after the end is a recording mistake, so that throws and the calling rule reports Error.
 * @param {date} from - The earlier day, e.g. when the current work or studies began.
 * @param {date} to - The later day, e.g. the day of the measurement.
 * @returns {integer} The number of whole months, 0 or more, or null when either day is missing.
 */
function wholeMonthsBetween(from, to) {
    if (from === null || to === null) {
        return null;
    }
    if (typeof from.getUTCFullYear !== "function" || typeof to.getUTCFullYear !== "function") {
        throw new TypeError("wholeMonthsBetween expects two days");
    }
    var fromYear = from.getUTCFullYear();
    var fromMonth = from.getUTCMonth();
    var fromDay = from.getUTCDate();
    var toYear = to.getUTCFullYear();
    var toMonth = to.getUTCMonth();
    var toDay = to.getUTCDate();
    var months = (toYear - fromYear) * 12 + (toMonth - fromMonth);
    if (months < 0 || (months === 0 && toDay < fromDay)) {
        throw new RangeError("wholeMonthsBetween: the start lies after the end");
    }
    // The day that lies `months` months after `from`, moved back to the last day of a shorter month, must not
    // lie after `to`; when it does, the last month is not whole yet.
    if (toDay < Math.min(fromDay, daysInMonth(toYear, toMonth))) {
        months = months - 1;
    }
    return months;
}
