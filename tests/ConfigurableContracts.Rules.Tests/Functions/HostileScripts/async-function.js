// expect: refused CCR0410
async function attack() { await null; for (;;) { } }
