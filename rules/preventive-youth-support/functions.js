// Custom functions for the preventive-youth-support rules, called as fn.name(...) from rule expressions.
// They must stay pure and deterministic: the same arguments always give the same result, with no clock,
// randomness or state, so that an evaluation can be repeated and audited.

/**
 * The relative change from a baseline value to a later value: (later - baseline) / baseline.
 * A fall from 20 to 15 gives -0.25 (25 % lower); a rise from 20 to 25 gives 0.25.
 * A relative change from a baseline of 0 is undefined, so that throws and the calling rule reports Error;
 * rules that may meet a baseline of 0 check for it first (baseline.behaviourScore > 0 && ...).
 * A value that is not recorded yet (for example a missing six-month follow-up) arrives as null; the function then
 * returns null, and the rule comparing the result reports NotEvaluable rather than Error.
 * @param {number} baseline - The value at the baseline measurement.
 * @param {number} later - The value at the later measurement.
 * @returns {number} The change as a share of the baseline value, or null when either value is missing.
 */
function relativeChange(baseline, later) {
    if (baseline === null || later === null) {
        return null;
    }
    if (typeof baseline !== "number" || typeof later !== "number") {
        throw new Error("relativeChange expects two numbers");
    }
    if (baseline === 0) {
        throw new Error("relativeChange is undefined for a baseline of 0");
    }
    return (later - baseline) / baseline;
}
