// expect: refused CCR0404
var next = (function () { var n = 0; return function () { return ++n; }; })();
function attack() { return next(); }
