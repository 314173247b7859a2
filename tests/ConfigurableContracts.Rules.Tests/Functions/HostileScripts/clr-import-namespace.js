// expect: fails
function attack() { var io = importNamespace("System.IO"); return io.File.ReadAllText("/etc/passwd"); }
