// expect: fails
// Throwing a plain object: Jint 2.10.4 reads its message as a string when the throw leaves the function.
function attack() { throw { code: 7 }; }
