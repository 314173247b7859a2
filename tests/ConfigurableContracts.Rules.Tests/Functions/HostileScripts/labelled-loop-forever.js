// expect: fails
function attack() { outer: for (;;) { inner: for (;;) { continue outer; } } }
