// expect: fails
function attack() { return this.constructor.constructor("return this")(); }
