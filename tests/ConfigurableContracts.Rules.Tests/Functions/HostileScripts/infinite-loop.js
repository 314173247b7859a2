// expect: fails
function attack() { while (true) { } }
