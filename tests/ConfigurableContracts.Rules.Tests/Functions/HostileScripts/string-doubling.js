// expect: fails
// Doubling reaches a 2^29-character string within 30 statements. Jint 2.10.4 cannot meter memory, so the time
// limit (or .NET refusing a larger string) is what stops it; see "Known limits" in docs/javascript-functions.md.
function attack() { var s = "x"; for (;;) { s = s + s; } }
