// expect: fails
// Twenty thousand proxies around each other: reading through them recurses inside Jint, where its stack guard stops it.
function attack() { let p = {}; for (let i = 0; i < 20000; i++) { p = new Proxy(p, {}); } return p.x; }
