// expect: fails
function attack() { new FinalizationRegistry(() => { for (;;) { } }).register({}, 1); return 1; }
