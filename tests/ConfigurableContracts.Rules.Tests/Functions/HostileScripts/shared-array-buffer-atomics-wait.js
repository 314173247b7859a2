// expect: fails
// Atomics.wait would block the thread for five seconds, past every time limit.
function attack() { const cells = new Int32Array(new SharedArrayBuffer(16)); return Atomics.wait(cells, 0, 0, 5000); }
