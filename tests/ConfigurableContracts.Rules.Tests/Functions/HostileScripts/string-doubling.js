// expect: fails
// Doubling would reach a 2^30-character string within 30 statements; every + checks MaxStringLength first.
function attack() { var s = "x"; for (;;) { s = s + s; } }
