// expect: fails
function attack() { return JSON.parse("[[[[1]]]]"); }
