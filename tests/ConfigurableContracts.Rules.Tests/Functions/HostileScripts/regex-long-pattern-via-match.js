// expect: fails
// match() turns a string into a RegExp inside Jint, out of reach of the RegExp constructor.
function attack() { var p = new Array(5001).join("a?") + new Array(5001).join("a"); return new Array(5001).join("a").match(p); }
