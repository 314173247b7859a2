// expect: refused CCR0404
while (true) { }
function attack() { return 1; }
