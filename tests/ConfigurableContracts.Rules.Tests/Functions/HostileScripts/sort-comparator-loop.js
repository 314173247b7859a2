// expect: fails
function attack() { return [3, 2, 1].sort(function () { while (true) { } }); }
