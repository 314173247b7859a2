// expect: fails
function attack() { throw 42; }
