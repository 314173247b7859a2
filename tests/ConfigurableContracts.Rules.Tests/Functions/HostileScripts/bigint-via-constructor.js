// expect: fails
function attack() { let x = BigInt(3); for (let i = 0; i < 22; i++) { x = x * x; } return x.toString().length; }
