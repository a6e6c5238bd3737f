// Berth is Linux-only (see src/Berth/AssemblyInfo.cs); so are the tests that call into it. These tests also
// need root: they create network namespaces and run sshd in them (SshTestHost).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
