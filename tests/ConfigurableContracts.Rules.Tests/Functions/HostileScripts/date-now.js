// expect: fails
function attack() { return Date.now(); }
