// expect: fails
function attack() { return Symbol.iterator; }
