// expect: fails
// Each piece is within the + limit; joining 100 000 of them would allocate 100 GB in native code.
function attack() { var s = "x"; for (var i = 0; i < 19; i++) { s = s + s; } return new Array(100000).join(s).length; }
