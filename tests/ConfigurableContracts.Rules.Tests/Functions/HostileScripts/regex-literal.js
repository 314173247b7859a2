// expect: refused CCR0405
function attack(s) { return /^(a+)+$/.test(s); }
