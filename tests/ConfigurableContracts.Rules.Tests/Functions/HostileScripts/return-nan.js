// expect: fails
/** @returns {number} */
function attack() { return 0 / 0; }
