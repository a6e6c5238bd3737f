using Berth.Edge.Static;

namespace Berth.Tests.Edge.Static;

public sealed class FingerprintTests
{
    [Theory]
    [InlineData("app.3f9a1c.js")]                          // 6 hex between dots
    [InlineData("chunk.8e3f2a1b9c.min.js")]                // hash before a .min
    [InlineData("main-4f2a9b7c.css")]                      // after a dash
    [InlineData("base.5af66c1b1797.css")]                  // Django ManifestStaticFilesStorage
    [InlineData("main.3F9A1C2B.js")]                       // upper-case hex
    [InlineData("index-BxH3k9aQ.js")]                      // Rollup/Vite base64
    [InlineData("app-OLXQ5CVD.js")]                        // esbuild base32
    [InlineData("vendor-Dq_9xZ2k.js")]
    [InlineData("application-0f2e9a1b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f.css")]  // Rails/Sprockets
    [InlineData("main.a1b2c3d4e5f6a7b8c9d0.chunk.js")]     // create-react-app
    public void Recognised(string name) => Assert.True(Fingerprint.IsFingerprinted(name));

    [Theory]
    [InlineData("app.js")]
    [InlineData("index.html")]
    [InlineData("jquery-3.7.1.min.js")]                    // versions are not hashes
    [InlineData("bootstrap.bundle.min.js")]
    [InlineData("app.facade.js")]                          // an all-hex English word
    [InlineData("report-20240101.csv")]                    // a date
    [InlineData("my-component.js")]
    [InlineData("player.webm2mp4.js")]                     // lower-case letters and digits: a name someone typed
    [InlineData("roboto-v30-latin-700.woff2")]
    [InlineData("3f9a1c2b.js")]                            // the whole name: no separator to say it is a hash
    [InlineData("app.3f9a1c")]                             // the hash is the extension
    [InlineData("noext")]
    [InlineData("app.3f9a1.js")]                           // 5 hex: too short
    [InlineData("app.3f9+1c2b.js")]
    [InlineData("")]
    public void Not_recognised(string name) => Assert.False(Fingerprint.IsFingerprinted(name));
}
