// expect: fails
function attack() { return System.IO.File.ReadAllText("/etc/passwd"); }
