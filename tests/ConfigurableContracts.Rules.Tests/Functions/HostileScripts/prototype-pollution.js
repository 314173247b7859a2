// expect: fails
function attack() { Object.prototype.isAdmin = true; return 1; }
