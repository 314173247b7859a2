// expect: fails
function attack() { return Symbol("s"); }
