// expect: fails
// 100 000 matches, each replaced by 10 000 characters: a gigabyte built in one native step without the bound.
function attack() { const s = "x".repeat(100000); return s.replace(/x/g, "y".repeat(10000)).length; }
