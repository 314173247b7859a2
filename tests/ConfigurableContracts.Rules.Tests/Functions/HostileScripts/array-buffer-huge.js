// expect: fails
function attack() { return new ArrayBuffer(2 ** 31).byteLength; }
