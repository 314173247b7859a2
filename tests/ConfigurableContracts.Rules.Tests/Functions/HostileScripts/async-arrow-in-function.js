// expect: refused CCR0410
function attack() { const later = async () => { for (;;) { } }; later(); return 1; }
