// expect: fails
// Each template literal doubles the string; the memory limit refuses the first result larger than the whole budget.
function attack() { let s = "x"; for (let i = 0; i < 40; i++) { s = `${s}${s}`; } return s.length; }
