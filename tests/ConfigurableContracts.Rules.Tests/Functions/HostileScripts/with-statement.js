// expect: refused CCR0402
function attack() { with (Math) { return PI; } }
