// expect: fails
function attack() { return Math.random(); }
