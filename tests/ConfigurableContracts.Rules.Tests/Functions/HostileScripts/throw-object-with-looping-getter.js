// expect: fails
function attack() { throw { get message() { while (true) { } } }; }
