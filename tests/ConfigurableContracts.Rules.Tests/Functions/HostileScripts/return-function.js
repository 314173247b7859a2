// expect: fails
function attack() { return function () { }; }
