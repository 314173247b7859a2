// expect: fails
// The array iterator prototype is reachable only through an iterator; it is frozen like every other built-in, so a
// call cannot change iteration for the next call on the same engine.
function attack() { const arrayIterator = Object.getPrototypeOf([][Symbol.iterator]()); arrayIterator.next = () => ({ done: true }); return 1; }
