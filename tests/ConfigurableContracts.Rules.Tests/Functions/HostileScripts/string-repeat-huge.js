// expect: fails
function attack() { return "x".repeat(2 ** 29).length; }
