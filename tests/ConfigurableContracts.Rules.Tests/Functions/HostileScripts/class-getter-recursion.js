// expect: fails
function attack() { class Loop { get value() { return this.value; } } return new Loop().value; }
