// expect: fails
function attack() { return { get x() { while (true) { } } }; }
