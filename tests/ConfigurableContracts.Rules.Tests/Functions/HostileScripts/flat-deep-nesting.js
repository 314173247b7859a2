// expect: fails
function attack() { let a = [1]; for (let i = 0; i < 20000; i++) { a = [a]; } return a.flat(Infinity).length; }
