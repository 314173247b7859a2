// expect: fails
function attack() { return new Date().getTime(); }
