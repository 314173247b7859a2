// expect: fails
function attack() { const e = eval; return e("1 + 1"); }
