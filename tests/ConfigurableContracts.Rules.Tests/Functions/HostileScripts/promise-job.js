// expect: fails
// A job queued on a promise never runs on the next caller's time: the engine drops it after the call, and the
// promise itself is not a rule value.
function attack() { return Promise.resolve().then(() => { for (;;) { } }); }
