// expect: fails
function attack() { return "x".padEnd(2 ** 29, "ab").length; }
