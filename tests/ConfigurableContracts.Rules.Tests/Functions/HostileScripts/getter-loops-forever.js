// expect: fails
function attack() { const o = { get x() { for (;;) { } } }; return o.x; }
