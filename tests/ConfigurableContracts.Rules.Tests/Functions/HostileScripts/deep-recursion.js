// expect: fails
function attack() { return attack() + 1; }
