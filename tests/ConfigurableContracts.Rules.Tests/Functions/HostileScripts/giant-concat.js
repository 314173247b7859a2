// expect: fails
function attack() { var s = "x"; for (var i = 0; i < 19; i++) { s = s + s; } return s.concat(s, s, s).length; }
