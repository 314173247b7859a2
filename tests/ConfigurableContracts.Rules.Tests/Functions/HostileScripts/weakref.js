// expect: fails
function attack() { return new WeakRef({}).deref() !== undefined; }
