// expect: fails
function attack() { return arguments.callee; }
