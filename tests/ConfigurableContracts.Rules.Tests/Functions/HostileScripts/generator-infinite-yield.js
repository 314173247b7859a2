// expect: fails
// An infinite generator spread into an array: each yield runs a statement, so the statement limit stops it.
function attack() { function* ones() { while (true) { yield 1; } } return [...ones()].length; }
