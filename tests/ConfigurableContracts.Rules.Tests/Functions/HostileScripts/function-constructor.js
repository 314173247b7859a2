// expect: fails
function attack() { return Function("return 1")(); }
