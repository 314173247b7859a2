// expect: fails
function attack() { var a = []; a.length = 4294967295; return a.join(","); }
