// expect: fails
function attack() { const generator = Object.getPrototypeOf(function* () { }).prototype; generator.return = () => 1; return 1; }
