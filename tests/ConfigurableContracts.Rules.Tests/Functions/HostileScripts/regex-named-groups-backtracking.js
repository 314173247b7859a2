// expect: fails
function attack() { return /^(?<word>(?<letter>a+)+)$/.test("a".repeat(40) + "!"); }
