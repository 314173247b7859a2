// expect: fails
// A pattern built at run time, past the pre-scan, nests 20 000 groups deep; .NET would parse it in native code.
function attack() { var n = 20000; var p = new Array(n + 1).join("(") + "a" + new Array(n + 1).join(")"); return new RegExp(p).test("a"); }
