// Berth is Linux-only (see src/Berth/AssemblyInfo.cs); so are the tests that call into it.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
