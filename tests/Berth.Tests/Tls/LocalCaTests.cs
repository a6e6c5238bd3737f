using System.Security.Cryptography.X509Certificates;
using Berth.Config;
using Berth.Tests.Edge.Static;
using Berth.Tls;

namespace Berth.Tests.Tls;

public sealed class LocalCaTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

    private static SiteConfig Internal(string name, params string[] hosts) =>
        new(name, [new ListenAddress("127.0.0.1", 8443, null, SourceSpan.CommandLine)], hosts, [], [], SourceSpan.CommandLine)
        {
            Tls = new TlsConfig(TlsMode.Internal, null, null, SourceSpan.CommandLine),
        };

    [Fact]
    public void A_week_long_leaf_is_renewed_with_a_third_of_it_left()
    {
        var time = new ManualTime(Now);
        LocalCa ca = LocalCa.LoadOrCreate(new StorageDirectory(Directory.CreateTempSubdirectory("berth-ca").FullName), time);
        CertificateStore store = CertificateStore.Build([Internal("dev", "dev.test")], ca);
        X509Certificate2 leaf = store.Find("dev.test")!.TargetCertificate;

        Assert.Equal(Now.AddDays(7), leaf.NotAfter.ToUniversalTime());
        Assert.InRange(store.InternalRenewal!.Value, Now.AddDays(4.6), Now.AddDays(4.7)); // 7 days + 5 min backdated, two thirds in
    }

    [Fact]
    public void A_short_test_lifetime_is_not_due_the_moment_it_is_made()
    {
        var time = new ManualTime(Now);
        LocalCa ca = LocalCa.LoadOrCreate(new StorageDirectory(Directory.CreateTempSubdirectory("berth-ca").FullName), time, TimeSpan.FromSeconds(12));
        CertificateStore store = CertificateStore.Build([Internal("a", "a.test"), Internal("b", "b.test")], ca);

        // Backdated by a sixth of the lifetime (2 s), not 5 minutes: due 2/3 of 14 s after its start, 7.33 s from now.
        Assert.InRange(store.InternalRenewal!.Value, Now.AddSeconds(7), Now.AddSeconds(8));
        time.Now = Now.AddSeconds(10);
        CertificateStore renewed = CertificateStore.Build([Internal("a", "a.test"), Internal("b", "b.test")], ca);
        Assert.NotEqual(store.Find("a.test")!.TargetCertificate.SerialNumber, renewed.Find("a.test")!.TargetCertificate.SerialNumber);
        Assert.True(renewed.InternalRenewal > time.Now);
    }

    [Fact]
    public void A_store_without_internal_sites_has_no_internal_renewal() =>
        Assert.Null(CertificateStore.Empty.InternalRenewal);
}
