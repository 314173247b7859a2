// expect: fails
function attack() { return [1, 1 / 0]; }
