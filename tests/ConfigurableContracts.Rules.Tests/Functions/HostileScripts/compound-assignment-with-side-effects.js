// expect: fails
// Jint 2.10.4's sandbox rewrote += and refused it here (CCR0409); Jint 4 runs it as JavaScript, evaluating a[i++]
// once, and an undefined target fails as it would anywhere.
function attack() { var a; var i = 0; a[i++] += a[i]; return a; }
