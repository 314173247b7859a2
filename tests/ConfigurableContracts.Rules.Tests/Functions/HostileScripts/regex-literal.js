// expect: fails
// Literals were refused under Jint 2.10.4 (CCR0405), which kept one RegExp per literal across calls; Jint 4 builds a
// fresh one per evaluation, and a catastrophic literal pattern meets the regex timeout like any other.
function attack() { return /^(a+)+$/.test("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"); }
