// expect: fails
// A lookbehind in front of a catastrophic pattern: the match timeout stops the backtracking.
function attack() { return /(?<=^)(a+)+$/.test("a".repeat(40) + "!"); }
