// expect: fails
function attack() { return String(Temporal.Now.instant()); }
