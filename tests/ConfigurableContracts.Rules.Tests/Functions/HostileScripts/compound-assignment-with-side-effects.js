// expect: refused CCR0409
// a[i++] += x would evaluate i++ twice once += is rewritten to a checked concatenation, so it is refused.
function attack(a) { var i = 0; a[i++] += a[i]; return a; }
