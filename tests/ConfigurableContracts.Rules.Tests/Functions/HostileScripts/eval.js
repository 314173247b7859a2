// expect: fails
function attack() { return eval("1 + 1"); }
