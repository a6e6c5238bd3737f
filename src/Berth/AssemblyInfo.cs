// Berth runs Python workers on Linux: Unix sockets, POSIX signals, /proc. Saying so once lets the
// analyzers check platform-specific calls against that instead of against Windows.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
