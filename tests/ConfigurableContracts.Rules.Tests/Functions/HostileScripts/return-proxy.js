// expect: fails
// A proxy returned as the result: its traps must not run when the host reads it after the call.
function attack() { return new Proxy({}, { ownKeys() { for (;;) { } }, get() { for (;;) { } } }); }
